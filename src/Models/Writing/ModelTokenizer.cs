using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace Ember.Models.Writing;

/// <summary>
/// The tokenizer a model Ember writes is built around: Ember's own 1,024-word vocabulary (<see cref="Own"/>), or a real
/// Hugging Face tokenizer read from a folder holding <c>tokenizer.json</c> and <c>tokenizer_config.json</c>
/// (<see cref="FromFolder"/>), such as Llama 2's or Mistral's. The model's vocabulary size, its special token ids and
/// the tokens its random weights never pick come from it.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class ModelTokenizer
{
    /// <summary>The most token ids a tokenizer may have here (a bound on what a malformed file can ask for).</summary>
    public const int MaxVocabSize = 1 << 20;

    private ModelTokenizer(string? folder, int vocabSize, int bosId, int eosId, int padId, IReadOnlyList<int> mutedIds, string fingerprint)
    {
        Folder = folder;
        VocabSize = vocabSize;
        BosId = bosId;
        EosId = eosId;
        PadId = padId;
        MutedIds = mutedIds;
        Fingerprint = fingerprint;
    }

    /// <summary>Ember's own vocabulary (<see cref="LlamaVocabulary"/>): only its whole-word tokens are ever generated.</summary>
    public static ModelTokenizer Own { get; } = new(
        null,
        LlamaVocabulary.Size,
        LlamaVocabulary.BosId,
        LlamaVocabulary.EosId,
        LlamaVocabulary.UnkId,
        Enumerable.Range(0, LlamaVocabulary.Default.FirstWordId).ToArray(),
        "ember-vocabulary");

    /// <summary>The folder the tokenizer was read from; <see langword="null"/> for <see cref="Own"/>.</summary>
    public string? Folder { get; }

    /// <summary>The number of token ids: the highest id of the vocabulary and added tokens, plus one.</summary>
    public int VocabSize { get; }

    /// <summary>The beginning-of-sequence token (<c>bos_token</c> of the configuration).</summary>
    public int BosId { get; }

    /// <summary>The end-of-sequence token (<c>eos_token</c> of the configuration).</summary>
    public int EosId { get; }

    /// <summary>The padding token (<c>pad_token</c>, else <c>unk_token</c>, else the end of sequence).</summary>
    public int PadId { get; }

    /// <summary>
    /// Tokens whose output column is zero in a written model, so greedy decoding never picks them: the special tokens
    /// (and, for <see cref="Own"/>, every token but the whole words). The end of sequence is among them; a bias can make it win.
    /// </summary>
    public IReadOnlyList<int> MutedIds { get; }

    /// <summary>What identifies the tokenizer in a written model's stamp: a SHA-256 of both files, or <c>ember-vocabulary</c>.</summary>
    public string Fingerprint { get; }

    /// <summary>Reads the tokenizer in <paramref name="folder"/>.</summary>
    /// <exception cref="InvalidDataException">A file is missing, unreadable or malformed; the message names it and what is wrong.</exception>
    public static ModelTokenizer FromFolder(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var tokenizerPath = Path.Combine(folder, TokenizerWriter.TokenizerFileName);
        var configPath = Path.Combine(folder, TokenizerWriter.TokenizerConfigFileName);
        var tokenizerBytes = ReadFile(tokenizerPath);
        var configBytes = ReadFile(configPath);
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var special = new List<int>();
        var maxId = -1;
        Parse(tokenizerPath, tokenizerBytes, root =>
        {
            foreach (var entry in root.GetProperty("model").GetProperty("vocab").EnumerateObject())
            {
                maxId = Math.Max(maxId, Id(entry.Value));
                ids[entry.Name] = entry.Value.GetInt32();
            }

            if (root.TryGetProperty("added_tokens", out var added) && added.ValueKind == JsonValueKind.Array)
            {
                foreach (var token in added.EnumerateArray())
                {
                    var id = Id(token.GetProperty("id"));
                    maxId = Math.Max(maxId, id);
                    ids[token.GetProperty("content").GetString() ?? throw new FormatException("an added token has no content")] = id;
                    if (token.TryGetProperty("special", out var isSpecial) && isSpecial.ValueKind == JsonValueKind.True)
                    {
                        special.Add(id);
                    }
                }
            }
        });
        if (maxId < 0)
        {
            throw new InvalidDataException($"{tokenizerPath}: model.vocab is empty.");
        }

        int? bos = null, eos = null, pad = null, unk = null;
        Parse(configPath, configBytes, root =>
        {
            bos = TokenId(root, "bos_token", ids, configPath);
            eos = TokenId(root, "eos_token", ids, configPath);
            pad = TokenId(root, "pad_token", ids, configPath);
            unk = TokenId(root, "unk_token", ids, configPath);
        });
        var eosId = eos ?? throw new InvalidDataException($"{configPath}: names no eos_token; a model needs an end-of-sequence token.");
        var fingerprint = "sha256:" + Convert.ToHexStringLower(SHA256.HashData([.. tokenizerBytes, .. configBytes]));
        return new ModelTokenizer(
            Path.GetFullPath(folder),
            maxId + 1,
            bos ?? eosId,
            eosId,
            pad ?? unk ?? eosId,
            special.Append(eosId).Distinct().Order().ToArray(),
            fingerprint);
    }

    /// <summary>Writes the tokenizer's files into a model folder: <see cref="Folder"/>'s copied, or Ember's own written.</summary>
    public async Task WriteAsync(string directory, CancellationToken cancellationToken)
    {
        if (Folder is null)
        {
            await TokenizerWriter.WriteAsync(directory, LlamaVocabulary.Default, cancellationToken).ConfigureAwait(false);
            return;
        }

        foreach (var name in (string[])[TokenizerWriter.TokenizerFileName, TokenizerWriter.TokenizerConfigFileName])
        {
            var bytes = await File.ReadAllBytesAsync(Path.Combine(Folder, name), cancellationToken).ConfigureAwait(false);
            await File.WriteAllBytesAsync(Path.Combine(directory, name), bytes, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Folder is null
        ? "Ember's own vocabulary"
        : string.Create(CultureInfo.InvariantCulture, $"the tokenizer in {Folder} ({VocabSize} tokens)");

    private static byte[] ReadFile(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path}: cannot be read ({e.Message}).", e);
        }
    }

    private static void Parse(string path, byte[] bytes, Action<JsonElement> read)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            read(document.RootElement);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: not a Hugging Face tokenizer file ({e.Message}).", e);
        }
    }

    private static int Id(JsonElement id) =>
        id.GetInt32() is >= 0 and < MaxVocabSize and var value ? value : throw new FormatException($"token id {id} is outside 0..{MaxVocabSize - 1}");

    /// <summary>The id of a special token the configuration names, as a string or as an object with <c>content</c>; null when absent.</summary>
    private static int? TokenId(JsonElement root, string key, Dictionary<string, int> ids, string path)
    {
        if (!root.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var content = value.ValueKind == JsonValueKind.Object ? value.GetProperty("content").GetString() : value.GetString();
        return content is not null && ids.TryGetValue(content, out var id)
            ? id
            : throw new InvalidDataException($"{path}: {key} '{content}' is not a token of tokenizer.json.");
    }
}
