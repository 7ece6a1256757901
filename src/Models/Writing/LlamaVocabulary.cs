using System.Globalization;

namespace Ember.Models.Writing;

/// <summary>
/// The byte-fallback BPE vocabulary of Ember's own small Llama-style model: exactly <see cref="Size"/> tokens,
/// built the same way on every run.
/// </summary>
/// <remarks>
/// <para>
/// Id layout: the specials <c>&lt;unk&gt;</c>, <c>&lt;s&gt;</c> and <c>&lt;/s&gt;</c> (0, 1, 2); the 256 byte tokens
/// <c>&lt;0x00&gt;</c>…<c>&lt;0xFF&gt;</c> (<see cref="FirstByteId"/> onwards); the word boundary <c>▁</c> (U+2581) and
/// every printable ASCII character; then the <c>▁</c>-prefixed subwords that only exist as merge steps; and last,
/// from <see cref="FirstWordId"/> to the end, one <c>▁</c>-prefixed token per whole common English word.
/// </para>
/// <para>
/// Every word token is reached by merging left to right (<c>▁ t</c> → <c>▁t</c>, <c>▁t h</c> → <c>▁th</c>,
/// <c>▁th e</c> → <c>▁the</c>), and every merge's parts and result are tokens. Words are taken from a fixed list in
/// order; a word whose new tokens would not fit is skipped, so the vocabulary fills to exactly <see cref="Size"/>.
/// </para>
/// <para>Instances are immutable and safe to share between threads.</para>
/// </remarks>
public sealed class LlamaVocabulary
{
    /// <summary>The number of tokens in the vocabulary.</summary>
    public const int Size = 1024;

    /// <summary>The id of the unknown token, <c>&lt;unk&gt;</c>.</summary>
    public const int UnkId = 0;

    /// <summary>The id of the beginning-of-sequence token, <c>&lt;s&gt;</c>.</summary>
    public const int BosId = 1;

    /// <summary>The id of the end-of-sequence token, <c>&lt;/s&gt;</c>.</summary>
    public const int EosId = 2;

    /// <summary>The id of the byte token <c>&lt;0x00&gt;</c>; byte <c>b</c> has id <c>FirstByteId + b</c>.</summary>
    public const int FirstByteId = 3;

    /// <summary>The id of the word-boundary token <c>▁</c> (U+2581), which follows the 256 byte tokens.</summary>
    public const int WordBoundaryId = FirstByteId + 256;

    /// <summary>The text of the unknown token.</summary>
    public const string UnkToken = "<unk>";

    /// <summary>The text of the beginning-of-sequence token.</summary>
    public const string BosToken = "<s>";

    /// <summary>The text of the end-of-sequence token.</summary>
    public const string EosToken = "</s>";

    /// <summary>The word-boundary character U+2581 that stands for a space inside tokens.</summary>
    public const string WordBoundary = "\u2581";

    /// <summary>The printable ASCII punctuation that gets single-character tokens, in id order.</summary>
    private const string Punctuation = ".,!?'\":;-()/&%$#@*+=_[]{}<>~`^|\\";

    private readonly Dictionary<string, int> _ids;

    /// <summary>Initializes a new instance of the <see cref="LlamaVocabulary"/> class, building the vocabulary.</summary>
    /// <exception cref="InvalidOperationException">The word list is too short to fill the vocabulary.</exception>
    public LlamaVocabulary()
    {
        var tokens = new List<string>(Size) { UnkToken, BosToken, EosToken };
        for (var b = 0; b < 256; b++)
        {
            tokens.Add(string.Create(CultureInfo.InvariantCulture, $"<0x{b:X2}>"));
        }

        tokens.Add(WordBoundary);
        for (var c = 'a'; c <= 'z'; c++)
        {
            tokens.Add(new string(c, 1));
        }

        for (var c = 'A'; c <= 'Z'; c++)
        {
            tokens.Add(new string(c, 1));
        }

        for (var c = '0'; c <= '9'; c++)
        {
            tokens.Add(new string(c, 1));
        }

        foreach (var c in Punctuation)
        {
            tokens.Add(new string(c, 1));
        }

        FirstSubwordId = tokens.Count;

        // Offer each word in list order; a word is taken when all of its missing prefixes still fit.
        var known = new HashSet<string>(tokens, StringComparer.Ordinal);
        var created = new List<string>();
        var words = new List<string>();
        var wordSet = new HashSet<string>(StringComparer.Ordinal);
        var merges = new List<(string Left, string Right)>();
        foreach (var word in CommonEnglishWords.All)
        {
            var piece = WordBoundary + word;
            var missing = 0;
            for (var length = 2; length <= piece.Length; length++)
            {
                if (!known.Contains(piece[..length]))
                {
                    missing++;
                }
            }

            if (tokens.Count + created.Count + missing > Size)
            {
                continue;
            }

            for (var length = 2; length <= piece.Length; length++)
            {
                var prefix = piece[..length];
                if (known.Add(prefix))
                {
                    created.Add(prefix);
                    merges.Add((piece[..(length - 1)], piece[(length - 1)..length]));
                }
            }

            if (wordSet.Add(piece))
            {
                words.Add(piece);
            }
        }

        // Merge-only subwords first, whole words last, each group in the order it was created.
        tokens.AddRange(created.Where(piece => !wordSet.Contains(piece)));
        FirstWordId = tokens.Count;
        tokens.AddRange(words);
        if (tokens.Count != Size)
        {
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"The word list filled {tokens.Count} of {Size} tokens; add more words."));
        }

        _ids = new Dictionary<string, int>(Size, StringComparer.Ordinal);
        for (var id = 0; id < tokens.Count; id++)
        {
            _ids.Add(tokens[id], id);
        }

        Tokens = tokens.AsReadOnly();
        Merges = merges.AsReadOnly();
    }

    /// <summary>Gets the shared instance of the vocabulary.</summary>
    public static LlamaVocabulary Default { get; } = new();

    /// <summary>Gets the tokens; the index of a token is its id.</summary>
    public IReadOnlyList<string> Tokens { get; }

    /// <summary>Gets the BPE merges, highest priority first; each part and each result is a token.</summary>
    public IReadOnlyList<(string Left, string Right)> Merges { get; }

    /// <summary>
    /// Gets the id of the first <c>▁</c>-prefixed token longer than one character; ids from here to
    /// <see cref="FirstWordId"/> are subwords that exist only as merge steps.
    /// </summary>
    public int FirstSubwordId { get; }

    /// <summary>Gets the id of the first whole-word token; every id from here to <see cref="Size"/> is a word.</summary>
    public int FirstWordId { get; }

    /// <summary>Gets the number of whole-word tokens.</summary>
    public int WordCount => Size - FirstWordId;

    /// <summary>Returns whether an id is a whole-word token (<c>▁</c> followed by a common English word).</summary>
    /// <param name="id">The token id.</param>
    /// <returns><see langword="true"/> for ids from <see cref="FirstWordId"/> to <see cref="Size"/> (exclusive).</returns>
    public bool IsWordToken(int id) => id >= FirstWordId && id < Size;

    /// <summary>Gets the id of a token.</summary>
    /// <param name="token">The token text, such as <c>▁the</c>.</param>
    /// <returns>The id.</returns>
    /// <exception cref="KeyNotFoundException">The token is not in the vocabulary.</exception>
    public int GetId(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return _ids.TryGetValue(token, out var id)
            ? id
            : throw new KeyNotFoundException($"'{token}' is not a token of the vocabulary.");
    }

    /// <summary>Gets the id of a token, if it is in the vocabulary.</summary>
    /// <param name="token">The token text.</param>
    /// <param name="id">The id, or -1 when the token is not in the vocabulary.</param>
    /// <returns>Whether the token is in the vocabulary.</returns>
    public bool TryGetId(string token, out int id)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (_ids.TryGetValue(token, out id))
        {
            return true;
        }

        id = -1;
        return false;
    }
}
