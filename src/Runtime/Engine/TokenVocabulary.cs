using System.Globalization;
using System.Text;
using System.Text.Json;
using Ember.Runtime.Generation;

namespace Ember.Runtime.Engine;

/// <summary>
/// Each token's text and UTF-8 bytes, read from the model's <c>tokenizer.json</c> (its <c>model.vocab</c> and
/// <c>added_tokens</c>) for reporting log probabilities: SentencePiece-style pieces, where <c>▁</c> is a space and
/// <c>&lt;0xNN&gt;</c> is the byte NN, as the Llama-2, Mistral and CodeLlama tokenizers (and Ember's own) write them.
/// </summary>
/// <remarks>Immutable once read; thread-safe.</remarks>
internal sealed class TokenVocabulary
{
    /// <summary>The largest vocabulary read (a bound on the arrays a malformed file could ask for).</summary>
    private const int MaxVocabulary = 1 << 20;

    private readonly string[] _texts;
    private readonly byte[][] _bytes;
    private readonly HashSet<int> _special;

    private TokenVocabulary(string[] texts, byte[][] bytes, HashSet<int> special)
    {
        _texts = texts;
        _bytes = bytes;
        _special = special;
    }

    /// <summary>Gets the number of token ids (the highest id + 1).</summary>
    public int Count => _bytes.Length;

    /// <summary>The bytes a token adds to the text; empty for an id the vocabulary lacks.</summary>
    public ReadOnlySpan<byte> BytesOf(int tokenId) => (uint)tokenId < (uint)_bytes.Length && _bytes[tokenId] is { } bytes ? bytes : [];

    /// <summary>Whether a token is a special one (<c>added_tokens</c> marked <c>special</c>, such as <c>&lt;s&gt;</c>): it adds no text.</summary>
    public bool IsSpecial(int tokenId) => _special.Contains(tokenId);

    /// <summary>Reads the vocabulary of the model in <paramref name="folder"/>.</summary>
    /// <exception cref="AiTextGenerationException">The tokenizer file is missing, has no <c>model.vocab</c> object, or is malformed.</exception>
    public static TokenVocabulary Read(string folder)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "tokenizer.json")));
            var pieces = new Dictionary<int, string>();
            var special = new HashSet<int>();
            foreach (var entry in document.RootElement.GetProperty("model").GetProperty("vocab").EnumerateObject())
            {
                pieces[Id(entry.Value)] = entry.Name;
            }

            if (document.RootElement.TryGetProperty("added_tokens", out var added))
            {
                foreach (var token in added.EnumerateArray())
                {
                    var id = Id(token.GetProperty("id"));
                    pieces[id] = token.GetProperty("content").GetString()
                        ?? throw new FormatException("an added token has no content");
                    if (token.TryGetProperty("special", out var isSpecial) && isSpecial.ValueKind == JsonValueKind.True)
                    {
                        special.Add(id);
                    }
                }
            }

            var size = pieces.Count == 0 ? 0 : pieces.Keys.Max() + 1;
            var texts = new string[size];
            var bytes = new byte[size][];
            foreach (var (id, piece) in pieces)
            {
                bytes[id] = Decode(piece);
                texts[id] = Encoding.UTF8.GetString(bytes[id]);
            }

            return new TokenVocabulary(texts, bytes, special);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new AiTextGenerationException(AiErrorKind.RuntimeFailure, $"Could not read the token vocabulary of the model in {folder}: {e.Message}", e);
        }
    }

    /// <summary>The entry for <paramref name="tokenId"/> with <paramref name="logprob"/>; an id outside the vocabulary reads as empty.</summary>
    public TokenLogprob Entry(int tokenId, double logprob) =>
        (uint)tokenId < (uint)_texts.Length && _texts[tokenId] is { } text
            ? new TokenLogprob(tokenId, text, _bytes[tokenId], logprob)
            : new TokenLogprob(tokenId, string.Empty, [], logprob);

    private static int Id(JsonElement id) =>
        id.GetInt32() is >= 0 and < MaxVocabulary and var value ? value : throw new FormatException($"token id {id} is outside 0..{MaxVocabulary - 1}");

    private static byte[] Decode(string piece) =>
        piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece.EndsWith('>')
            && byte.TryParse(piece.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value)
            ? [value]
            : Encoding.UTF8.GetBytes(piece.Replace('▁', ' '));
}
