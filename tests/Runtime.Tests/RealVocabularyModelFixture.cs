using System.Globalization;
using System.Text;
using System.Text.Json;
using Ember.Models.Writing;
using Ember.Tests.Shared;

namespace Ember.Runtime.Tests;

/// <summary>
/// Writes the tiny shape around the real Llama 2 tokenizer (32,000 SentencePiece pieces with byte fallback), every
/// variant, once for the whole collection: its random weights walk over all of the real pieces (specials muted), byte
/// tokens included, so split and invalid UTF-8 come often.
/// </summary>
public sealed class RealVocabularyModelFixture : IModelFixture, IAsyncLifetime
{
    /// <inheritdoc/>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "ember-real-vocabulary-tests-" + Guid.NewGuid().ToString("N"));

    /// <summary>The Llama 2 tokenizer's folder (<c>tokenizer.json</c>, <c>tokenizer_config.json</c>).</summary>
    public string TokenizerFolder { get; private set; } = string.Empty;

    /// <summary>
    /// Each token's bytes, read here from <c>tokenizer.json</c> apart from the runtime's own reader: <c>▁</c> is a space,
    /// <c>&lt;0xNN&gt;</c> the byte NN, a special token (<c>&lt;unk&gt;</c>, <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>) none.
    /// </summary>
    public IReadOnlyList<byte[]> PieceBytes { get; private set; } = [];

    /// <inheritdoc/>
    public string Folder(string variant) => Path.Combine(Root, variant);

    /// <summary>The bytes of <paramref name="tokens"/> joined.</summary>
    public byte[] BytesOf(IEnumerable<int> tokens) => [.. tokens.SelectMany(token => PieceBytes[token])];

    public async Task InitializeAsync()
    {
        TokenizerFolder = await RealTokenizers.Llama2Async();
        PieceBytes = ReadPieceBytes(Path.Combine(TokenizerFolder, "tokenizer.json"));
        var tokenizer = ModelTokenizer.FromFolder(TokenizerFolder);
        await LlamaModelWriter.WriteAllAsync(Root, LlamaShape.FromPreset("tiny", tokenizer), new LlamaWriterOptions { Tokenizer = tokenizer }, CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Root, recursive: true);
        return Task.CompletedTask;
    }

    private static byte[][] ReadPieceBytes(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var vocab = document.RootElement.GetProperty("model").GetProperty("vocab");
        var bytes = new byte[vocab.EnumerateObject().Count()][];
        foreach (var piece in vocab.EnumerateObject())
        {
            var name = piece.Name;
            bytes[piece.Value.GetInt32()] = name.Length == 6 && name.StartsWith("<0x", StringComparison.Ordinal) && name.EndsWith('>')
                ? [byte.Parse(name.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)]
                : Encoding.UTF8.GetBytes(name.Replace('\u2581', ' '));
        }

        foreach (var added in document.RootElement.GetProperty("added_tokens").EnumerateArray())
        {
            bytes[added.GetProperty("id").GetInt32()] = [];
        }

        return bytes;
    }
}

/// <summary>
/// The collection of <see cref="RealVocabularyModelFixture"/>. It runs alone, after the parallel collections: its hosts
/// load native objects, which <see cref="Ember.Runtime.Engine.NativeObjectCounter"/> counts process-wide, and a test
/// of another collection asserts that count is unchanged across a host's life.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealVocabularyTestGroup : ICollectionFixture<RealVocabularyModelFixture>
{
    public const string Name = "runtime on the tiny model around the real Llama 2 tokenizer";
}
