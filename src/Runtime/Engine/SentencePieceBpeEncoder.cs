using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace Ember.Runtime.Engine;

/// <summary>
/// Encodes text exactly as Hugging Face's <c>tokenizers</c> does with a SentencePiece-style BPE <c>tokenizer.json</c>
/// (Llama 2's, Mistral's and Ember's own): <c>added_tokens</c> split out of the raw text first, each piece
/// between them normalized by <c>Prepend "▁"</c> then <c>Replace " " → "▁"</c>, and each normalized piece encoded as
/// one word by BPE with byte fallback.
/// </summary>
/// <remarks>
/// <para>
/// It stands in for ORT GenAI's encoder, whose BPE (onnxruntime-extensions) does not always apply the merges in Hugging
/// Face's order (a run of spaces before a digit, <c>▁\r</c> beside more whitespace, Llama 2's <c>"a()!"</c>). The
/// merging is Hugging Face's <c>Word::merge_all</c> (<c>tokenizers/src/models/bpe/word.rs</c>): a min-heap of
/// adjacent pairs ordered by (merge rank, position), an entry applied only while its pair still merges into the same
/// token; so the lowest-ranked pair goes first, the leftmost on equal rank, in O(n log n) for a word of n characters.
/// </para>
/// <para>
/// For speed, a normalized piece is cut where no merge can ever join across: between two symbols when no merge's left
/// token ends with the left symbol's last character and its right token starts with the right symbol's first (with
/// Llama 2's and Mistral's merges, before every <c>▁</c> that follows another character). Merges on either side of
/// such a cut never meet, and the heap applies them in the same order within each part, so each part is merged alone,
/// with the same result; parts shorter than <see cref="CachedLength"/> characters are remembered (up to
/// <see cref="CacheCapacity"/> of them, as Hugging Face's word cache does), so a repeated word is merged once.
/// </para>
/// <para>
/// <see cref="FromJson"/> accepts only the form it implements and refuses any other (the caller then keeps ORT GenAI's
/// encoder): model <c>BPE</c> with <c>byte_fallback: true</c>, no dropout, no subword prefix or suffix, no
/// <c>ignore_merges</c>; the normalizer above exactly; no pre-tokenizer; added tokens with <c>normalized</c>,
/// <c>lstrip</c>, <c>rstrip</c> and <c>single_word</c> all false. No BOS is added (the post-processor is not applied):
/// the chat template writes <c>&lt;s&gt;</c>, which is then split out as an added token.
/// </para>
/// <para>
/// Thread-safe: <see cref="Encode"/> may be called from any number of threads at once. Apart from its cache of parts
/// (a concurrent map of immutable arrays, which may pass its capacity by a few entries under a race) it is immutable
/// after construction.
/// </para>
/// </remarks>
internal sealed class SentencePieceBpeEncoder
{
    /// <summary>The longest part of a piece, in characters, whose tokens are remembered.</summary>
    public const int CachedLength = 255;

    /// <summary>The most parts remembered; beyond it, new parts are merged each time.</summary>
    public const int CacheCapacity = 10_000;

    private const char WordBoundary = '\u2581';

    /// <summary>The largest vocabulary accepted (a bound on the arrays indexed by token id).</summary>
    private const int MaxVocabulary = 1 << 22;

    private readonly Dictionary<string, int> _vocabulary;
    private readonly Dictionary<long, int> _mergeRanks;
    private readonly int[] _mergedIds;
    private readonly int[] _byteIds;
    private readonly int _unknownId;
    private readonly bool _fuseUnknown;
    private readonly (string Content, int Id)[] _addedTokens;
    private readonly SearchValues<string>? _addedTokenStarts;
    private readonly char[] _firstChars;
    private readonly char[] _lastChars;
    private readonly HashSet<int> _joinedChars;
    private readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);
    private int _cached;

    private SentencePieceBpeEncoder(
        Dictionary<string, int> vocabulary,
        Dictionary<long, int> mergeRanks,
        int[] mergedIds,
        int unknownId,
        bool fuseUnknown,
        (string Content, int Id)[] addedTokens)
    {
        _vocabulary = vocabulary;
        _mergeRanks = mergeRanks;
        _mergedIds = mergedIds;
        _unknownId = unknownId;
        _fuseUnknown = fuseUnknown;
        _addedTokens = [.. addedTokens.OrderByDescending(token => token.Content.Length)];
        _addedTokenStarts = addedTokens.Length == 0 ? null : SearchValues.Create([.. addedTokens.Select(token => token.Content)], StringComparison.Ordinal);
        _firstChars = new char[vocabulary.Count == 0 ? 0 : vocabulary.Values.Max() + 1];
        _lastChars = new char[_firstChars.Length];
        foreach (var (piece, id) in vocabulary.Where(entry => entry.Key.Length > 0))
        {
            _firstChars[id] = piece[0];
            _lastChars[id] = piece[^1];
        }

        _joinedChars = [.. mergeRanks.Keys.Select(pair => CharPair(_lastChars[(int)(pair >> 32)], _firstChars[(int)pair]))];
        _byteIds = new int[256];
        for (var value = 0; value < _byteIds.Length; value++)
        {
            _byteIds[value] = vocabulary.TryGetValue($"<0x{value:X2}>", out var id) ? id : -1;
        }
    }

    /// <summary>
    /// Reads the encoder of the <c>tokenizer.json</c> in <paramref name="folder"/>; <see langword="null"/> when the file
    /// is missing, unreadable or of another form, and then <paramref name="refusal"/> says why.
    /// </summary>
    public static SentencePieceBpeEncoder? Read(string folder, out string? refusal)
    {
        ArgumentNullException.ThrowIfNull(folder);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "tokenizer.json")));
            return FromJson(document.RootElement, out refusal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or FormatException or InvalidOperationException)
        {
            refusal = $"its tokenizer.json could not be read as a SentencePiece BPE tokenizer: {e.Message}";
            return null;
        }
    }

    /// <summary>
    /// Builds the encoder of a parsed <c>tokenizer.json</c>; <see langword="null"/> when the file is of another form than
    /// the one this encoder implements, and then <paramref name="refusal"/> says which part differs.
    /// </summary>
    /// <exception cref="FormatException">The file has the form but is malformed, as Hugging Face would refuse it too (a merge of tokens the vocabulary lacks).</exception>
    /// <exception cref="InvalidOperationException">A field has another JSON kind than the form's.</exception>
    public static SentencePieceBpeEncoder? FromJson(JsonElement tokenizer, out string? refusal)
    {
        var modelRefusal = RefuseModel(tokenizer, out var model);
        refusal = RefuseNormalizer(tokenizer) ?? RefusePreTokenizer(tokenizer) ?? modelRefusal;
        if (refusal is not null)
        {
            return null;
        }

        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        var ids = new HashSet<int>();
        foreach (var entry in model.GetProperty("vocab").EnumerateObject())
        {
            var id = entry.Value.GetInt32();
            if (id is < 0 or >= MaxVocabulary || !ids.Add(id) || !vocabulary.TryAdd(entry.Name, id))
            {
                refusal = $"its vocabulary has the id {id} of \"{entry.Name}\" twice or outside 0..{MaxVocabulary - 1}, or the piece twice";
                return null;
            }
        }

        var unknownId = -1;
        if (model.TryGetProperty("unk_token", out var unknown) && unknown.ValueKind != JsonValueKind.Null)
        {
            var name = unknown.GetString()!;
            unknownId = vocabulary.TryGetValue(name, out var id) ? id : throw new FormatException($"the unknown token {name} is not in the vocabulary");
        }

        var fuseUnknown = model.TryGetProperty("fuse_unk", out var fuse) && fuse.GetBoolean();
        var (mergeRanks, mergedIds) = ReadMerges(model.GetProperty("merges"), vocabulary);
        var addedTokens = ReadAddedTokens(tokenizer, out refusal);
        return addedTokens is null ? null : new SentencePieceBpeEncoder(vocabulary, mergeRanks, mergedIds, unknownId, fuseUnknown, addedTokens);
    }

    /// <summary>The token ids of <paramref name="text"/>, with no BOS added.</summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 4);
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            var at = _addedTokenStarts is null ? -1 : rest.IndexOfAny(_addedTokenStarts);
            if (at < 0)
            {
                EncodeSegment(rest, ids);
                break;
            }

            EncodeSegment(rest[..at], ids);
            var (content, id) = LongestAddedTokenAt(rest[at..]);
            ids.Add(id);
            rest = rest[(at + content.Length)..];
        }

        return [.. ids];
    }

    private (string Content, int Id) LongestAddedTokenAt(ReadOnlySpan<char> text)
    {
        foreach (var token in _addedTokens)
        {
            if (text.StartsWith(token.Content, StringComparison.Ordinal))
            {
                return token;
            }
        }

        throw new InvalidOperationException("No added token starts where the search found one.");
    }

    /// <summary>Normalizes one piece of text between added tokens and appends its BPE tokens (nothing for an empty piece).</summary>
    private void EncodeSegment(ReadOnlySpan<char> segment, List<int> ids)
    {
        if (segment.IsEmpty)
        {
            return;
        }

        var length = segment.Length + 1;
        var capacity = 3 * length;
        var normalized = ArrayPool<char>.Shared.Rent(length);
        var symbols = ArrayPool<int>.Shared.Rent(capacity);
        var sizes = ArrayPool<int>.Shared.Rent(capacity);
        var offsets = ArrayPool<int>.Shared.Rent(capacity);
        var previous = ArrayPool<int>.Shared.Rent(capacity);
        var next = ArrayPool<int>.Shared.Rent(capacity);
        try
        {
            Normalize(segment, normalized);
            var word = normalized.AsSpan(0, length);
            var count = Split(word, symbols, sizes, offsets, out var cuttable);
            using var heap = new MergeHeap(0);
            var cache = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
            var start = 0;
            for (var end = 1; end <= count; end++)
            {
                if (end < count && (!cuttable || offsets[end] == offsets[end - 1] || _joinedChars.Contains(CharPair(_lastChars[symbols[end - 1]], _firstChars[symbols[end]]))))
                {
                    continue;
                }

                var part = word[offsets[start]..(end < count ? offsets[end] : length)];
                if (cache.TryGetValue(part, out var cached))
                {
                    ids.AddRange(cached);
                    start = end;
                    continue;
                }

                for (var i = start; i < end; i++)
                {
                    previous[i] = i - 1;
                    next[i] = i + 1 < end ? i + 1 : -1;
                }

                previous[start] = -1;
                heap.Clear();
                MergeAll(heap, symbols, sizes, previous, next, start, end);
                var first = ids.Count;
                for (var i = start; i < end; i++)
                {
                    if (sizes[i] != 0)
                    {
                        ids.Add(symbols[i]);
                    }
                }

                if (cuttable && part.Length <= CachedLength && Volatile.Read(ref _cached) < CacheCapacity && cache.TryAdd(part, [.. ids[first..]]))
                {
                    Interlocked.Increment(ref _cached);
                }

                start = end;
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(next);
            ArrayPool<int>.Shared.Return(previous);
            ArrayPool<int>.Shared.Return(offsets);
            ArrayPool<int>.Shared.Return(sizes);
            ArrayPool<int>.Shared.Return(symbols);
            ArrayPool<char>.Shared.Return(normalized);
        }
    }

    /// <summary>
    /// Writes <c>"▁" + segment</c> with every space replaced by <c>▁</c>; a lone surrogate becomes U+FFFD, as the text's
    /// UTF-8 (what Hugging Face is given) has it.
    /// </summary>
    private static void Normalize(ReadOnlySpan<char> segment, char[] normalized)
    {
        normalized[0] = WordBoundary;
        for (var i = 0; i < segment.Length; i++)
        {
            var c = segment[i];
            if (char.IsHighSurrogate(c) && i + 1 < segment.Length && char.IsLowSurrogate(segment[i + 1]))
            {
                normalized[i + 1] = c;
                normalized[i + 2] = segment[i + 1];
                i++;
                continue;
            }

            normalized[i + 1] = c == ' ' ? WordBoundary : char.IsSurrogate(c) ? '\uFFFD' : c;
        }
    }

    /// <summary>
    /// The word's first symbols, as Hugging Face's <c>BPE::merge_word</c> makes them: each character's token, else its
    /// UTF-8 bytes' <c>&lt;0xNN&gt;</c> tokens, else the unknown token (consecutive ones fused when <c>fuse_unk</c>).
    /// </summary>
    /// <returns>
    /// The number of symbols written to <paramref name="symbols"/>, their (non-zero) sizes to <paramref name="sizes"/>,
    /// and the index in <paramref name="word"/> of the character each comes from to <paramref name="offsets"/>;
    /// <paramref name="cuttable"/> is <see langword="false"/> when an unknown token was made (its symbols may then be out
    /// of the characters' order, as Hugging Face adds a pending unknown token after byte tokens), and the word is merged whole.
    /// </returns>
    private int Split(ReadOnlySpan<char> word, int[] symbols, int[] sizes, int[] offsets, out bool cuttable)
    {
        var lookup = _vocabulary.GetAlternateLookup<ReadOnlySpan<char>>();
        Span<byte> utf8 = stackalloc byte[4];
        var count = 0;
        var unknownSize = 0;
        var unknownOffset = 0;
        cuttable = true;
        for (var i = 0; i < word.Length;)
        {
            var offset = i;
            var width = char.IsHighSurrogate(word[i]) && i + 1 < word.Length ? 2 : 1;
            var character = word.Slice(i, width);
            i += width;
            if (lookup.TryGetValue(character, out var id))
            {
                if (unknownSize > 0)
                {
                    Add(_unknownId, unknownSize, unknownOffset);
                    unknownSize = 0;
                }

                Add(id, width, offset);
                continue;
            }

            var bytes = Encoding.UTF8.GetBytes(character, utf8);
            var fallback = true;
            foreach (var value in utf8[..bytes])
            {
                fallback &= _byteIds[value] >= 0;
            }

            if (fallback)
            {
                // As Hugging Face does, a pending unknown token is not added before the bytes.
                foreach (var value in utf8[..bytes])
                {
                    Add(_byteIds[value], 1, offset);
                }
            }
            else if (_unknownId >= 0)
            {
                if (unknownSize > 0 && !_fuseUnknown)
                {
                    Add(_unknownId, unknownSize, unknownOffset);
                    unknownSize = 0;
                }

                cuttable = false;
                unknownOffset = unknownSize == 0 ? offset : unknownOffset;
                unknownSize += width;
            }
        }

        if (unknownSize > 0)
        {
            Add(_unknownId, unknownSize, unknownOffset);
        }

        return count;

        void Add(int symbol, int size, int offset)
        {
            symbols[count] = symbol;
            sizes[count] = size;
            offsets[count] = offset;
            count++;
        }
    }

    /// <summary>
    /// Hugging Face's <c>Word::merge_all</c> without dropout. Each heap entry is <c>rank &lt;&lt; 32 | position</c>, so
    /// the heap pops the lowest rank first and the leftmost on equal rank; a popped entry is skipped when its left
    /// symbol was merged away, has no right neighbour any more, or now forms a pair that does not merge into the
    /// entry's token. A merged-away symbol is marked by size 0. Merges the symbols from <paramref name="start"/> up to
    /// <paramref name="end"/>, linked among themselves by <paramref name="previous"/> and <paramref name="next"/>.
    /// </summary>
    private void MergeAll(MergeHeap heap, int[] symbols, int[] sizes, int[] previous, int[] next, int start, int end)
    {
        for (var i = start; i + 1 < end; i++)
        {
            if (_mergeRanks.TryGetValue(Pair(symbols[i], symbols[i + 1]), out var rank))
            {
                heap.Push(rank, i);
            }
        }

        while (heap.TryPop(out var rank, out var position))
        {
            if (sizes[position] == 0 || next[position] == -1)
            {
                continue;
            }

            var right = next[position];
            var mergedId = _mergedIds[rank];
            if (!_mergeRanks.TryGetValue(Pair(symbols[position], symbols[right]), out var currentRank) || _mergedIds[currentRank] != mergedId)
            {
                continue;
            }

            symbols[position] = mergedId;
            sizes[position] += sizes[right];
            next[position] = next[right];
            sizes[right] = 0;
            if (next[right] >= 0)
            {
                previous[next[right]] = position;
            }

            if (previous[position] >= 0 && _mergeRanks.TryGetValue(Pair(symbols[previous[position]], mergedId), out var leftRank))
            {
                heap.Push(leftRank, previous[position]);
            }

            if (next[position] >= 0 && _mergeRanks.TryGetValue(Pair(mergedId, symbols[next[position]]), out var rightRank))
            {
                heap.Push(rightRank, position);
            }
        }
    }

    private static long Pair(int left, int right) => ((long)left << 32) | (uint)right;

    private static int CharPair(char last, char first) => (last << 16) | first;

    /// <summary>
    /// The merges in rank order, as a map from a pair of token ids to its rank, and each rank's merged token id; a pair
    /// listed twice keeps its last rank, as Hugging Face's map does.
    /// </summary>
    private static (Dictionary<long, int> Ranks, int[] MergedIds) ReadMerges(JsonElement merges, Dictionary<string, int> vocabulary)
    {
        var ranks = new Dictionary<long, int>(merges.GetArrayLength());
        var mergedIds = new List<int>(merges.GetArrayLength());
        foreach (var merge in merges.EnumerateArray())
        {
            string left, right;
            if (merge.ValueKind == JsonValueKind.Array)
            {
                if (merge.GetArrayLength() != 2)
                {
                    throw new FormatException($"merge {mergedIds.Count + 1} is not a pair: {merge.GetRawText()}");
                }

                left = merge[0].GetString()!;
                right = merge[1].GetString()!;
            }
            else
            {
                var line = merge.GetString()!;
                if (line.StartsWith("#version", StringComparison.Ordinal))
                {
                    continue;
                }

                var parts = line.Split(' ');
                if (parts.Length != 2)
                {
                    throw new FormatException($"merge {mergedIds.Count + 1} is not two tokens separated by one space: \"{line}\"");
                }

                (left, right) = (parts[0], parts[1]);
            }

            ranks[Pair(IdOf(left), IdOf(right))] = mergedIds.Count;
            mergedIds.Add(IdOf(left + right));
        }

        return (ranks, [.. mergedIds]);

        int IdOf(string token) =>
            vocabulary.TryGetValue(token, out var id) ? id : throw new FormatException($"merge {mergedIds.Count + 1} names {token}, which is not in the vocabulary");
    }

    /// <summary>The added tokens, each matched on the raw text; <see langword="null"/> with a refusal for a token configured otherwise.</summary>
    private static (string Content, int Id)[]? ReadAddedTokens(JsonElement tokenizer, out string? refusal)
    {
        refusal = null;
        if (!tokenizer.TryGetProperty("added_tokens", out var added) || added.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        var tokens = new List<(string Content, int Id)>();
        foreach (var token in added.EnumerateArray())
        {
            var content = token.GetProperty("content").GetString()!;
            if (content.Length == 0 || tokens.Exists(other => other.Content == content))
            {
                refusal = $"the added token \"{content}\" is empty or listed twice";
                return null;
            }

            // Hugging Face's defaults: normalized true, the others false.
            foreach (var (name, byDefault) in (ReadOnlySpan<(string, bool)>)[("normalized", true), ("lstrip", false), ("rstrip", false), ("single_word", false)])
            {
                if (!token.TryGetProperty(name, out var flag) ? byDefault : flag.GetBoolean())
                {
                    refusal = $"the added token \"{content}\" has {name} true; only tokens matched as they are on the raw text are implemented";
                    return null;
                }
            }

            tokens.Add((content, token.GetProperty("id").GetInt32()));
        }

        return [.. tokens];
    }

    /// <summary>Why the normalizer is not exactly <c>Sequence[Prepend "▁", Replace " " → "▁"]</c>, or <see langword="null"/>.</summary>
    private static string? RefuseNormalizer(JsonElement tokenizer)
    {
        const string Expected = "the normalizer is not Sequence[Prepend \"▁\", Replace \" \" → \"▁\"]";
        if (!tokenizer.TryGetProperty("normalizer", out var normalizer)
            || !HasExactly(normalizer, "type", "normalizers")
            || !IsString(normalizer, "type", "Sequence")
            || normalizer.GetProperty("normalizers") is not { ValueKind: JsonValueKind.Array } steps
            || steps.GetArrayLength() != 2)
        {
            return Expected;
        }

        var prepend = steps[0];
        var replace = steps[1];
        return HasExactly(prepend, "type", "prepend") && IsString(prepend, "type", "Prepend") && IsString(prepend, "prepend", "\u2581")
            && HasExactly(replace, "type", "pattern", "content") && IsString(replace, "type", "Replace") && IsString(replace, "content", "\u2581")
            && replace.GetProperty("pattern") is var pattern && HasExactly(pattern, "String") && IsString(pattern, "String", " ")
            ? null
            : Expected;
    }

    private static string? RefusePreTokenizer(JsonElement tokenizer) =>
        !tokenizer.TryGetProperty("pre_tokenizer", out var preTokenizer) || preTokenizer.ValueKind == JsonValueKind.Null
            ? null
            : "it has a pre-tokenizer";

    /// <summary>Why the model is not a byte-fallback BPE without dropout, prefix, suffix or <c>ignore_merges</c>, or <see langword="null"/>.</summary>
    private static string? RefuseModel(JsonElement tokenizer, out JsonElement model)
    {
        if (!tokenizer.TryGetProperty("model", out model) || model.ValueKind != JsonValueKind.Object || !IsString(model, "type", "BPE"))
        {
            return "its model is not BPE";
        }

        foreach (var property in model.EnumerateObject())
        {
            var value = property.Value;
            var accepted = property.Name switch
            {
                "type" or "vocab" or "merges" => true,
                "unk_token" => value.ValueKind is JsonValueKind.String or JsonValueKind.Null,
                "fuse_unk" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
                "byte_fallback" => value.ValueKind is JsonValueKind.True,
                "ignore_merges" => value.ValueKind is JsonValueKind.False,
                "dropout" or "continuing_subword_prefix" or "end_of_word_suffix" => value.ValueKind is JsonValueKind.Null,
                _ => false,
            };
            if (!accepted)
            {
                return $"its BPE model has {property.Name}: {value.GetRawText()}";
            }
        }

        return !model.TryGetProperty("byte_fallback", out _) ? "its BPE model has no byte_fallback"
            : model.TryGetProperty("vocab", out var vocab) && vocab.ValueKind == JsonValueKind.Object
                && model.TryGetProperty("merges", out var merges) && merges.ValueKind == JsonValueKind.Array
            ? null
            : "its BPE model has no vocab object or merges array";
    }

    private static bool HasExactly(JsonElement element, params ReadOnlySpan<string> names)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var count = 0;
        foreach (var property in element.EnumerateObject())
        {
            if (!names.Contains(property.Name))
            {
                return false;
            }

            count++;
        }

        return count == names.Length;
    }

    private static bool IsString(JsonElement element, string name, string value) =>
        element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String && property.ValueEquals(value);
}
