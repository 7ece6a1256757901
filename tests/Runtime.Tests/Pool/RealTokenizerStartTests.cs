using Ember.Models.Catalog;
using Ember.Models.Writing;
using Ember.Runtime.Engine;
using Ember.Runtime.Generation;
using Ember.Runtime.Options;
using Ember.Tests.Shared;

namespace Ember.Runtime.Tests.Pool;

/// <summary>Starting the runtime on a generated model around a real tokenizer (<c>Generate</c> + <c>Tokenizer</c>), and the refusals around it.</summary>
[Collection(RuntimeTestGroup.Name)]
public sealed class RealTokenizerStartTests(TinyModelFixture models) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("ember-real-start-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private Dictionary<string, string?> Generated(string tokenizer, string folder = "int4") => new()
    {
        ["Ember:Models:@ember/tiny-llama:Folder"] = Path.Combine(_root, folder),
        ["Ember:Models:@ember/tiny-llama:Variant"] = "Int4",
        ["Ember:Models:@ember/tiny-llama:Generate"] = "tiny",
        ["Ember:Models:@ember/tiny-llama:Tokenizer"] = tokenizer,
    };

    [Fact]
    public async Task Start_GenerateAroundLlama2_WritesAndServesTheRealVocabulary()
    {
        var llama2 = await RealTokenizers.Llama2Async();

        await using var runtime = await RuntimeHarness.StartAsync(models, Generated(llama2));
        var result = await runtime.Generation.RunAsync(ModelCatalog.TinyLlamaId, new TextGenerationRequest { Prompt = "Hello world", MaxTokens = 6, Temperature = 0 }, CancellationToken.None);

        Assert.Equal(32000, ModelTokenizer.FromFolder(Path.Combine(_root, "int4")).VocabSize);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(llama2, "tokenizer.json")), await File.ReadAllBytesAsync(Path.Combine(_root, "int4", "tokenizer.json")));
        Assert.Contains("\"tokenizer\":\"sha256:", await File.ReadAllTextAsync(Path.Combine(_root, "int4", LlamaModelWriter.StampFileName)), StringComparison.Ordinal);
        Assert.Equal(6, result.Usage.CompletionTokens);
        Assert.NotEmpty(result.Response);
    }

    [Fact]
    public async Task Start_TokenizerFolderMissing_RefusesNamingTheFile()
    {
        var folder = Path.Combine(_root, "no-tokenizer");

        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => RuntimeHarness.StartAsync(models, Generated(folder)));

        Assert.Equal(
            $"Ember:Models:@ember/tiny-llama:Tokenizer: {Path.Combine(folder, "tokenizer.json")}: cannot be read (Could not find a part of the path '{Path.Combine(folder, "tokenizer.json")}'.).",
            Assert.Single(error.Failures));
    }

    [Fact]
    public async Task Start_TokenizerWithoutGenerate_RefusesNamingTheKey()
    {
        var settings = new Dictionary<string, string?> { ["Ember:Models:@ember/tiny-llama:Tokenizer"] = await RealTokenizers.Llama2Async() };

        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => RuntimeHarness.StartAsync(models, settings));

        Assert.Equal(
            "Ember:Models:@ember/tiny-llama:Tokenizer: only a generated model takes a tokenizer (set Generate); an exported model brings its own in its folder.",
            Assert.Single(error.Failures));
    }

    [Fact]
    public async Task Start_TokenizerDisagreesWithAModelEmberDidNotWrite_RefusesNamingBoth()
    {
        // The tiny model's own folder, copied without its stamp: a model Ember never touches, with 1,024 tokens.
        var folder = Path.Combine(_root, "int4");
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.EnumerateFiles(models.Folder("int4")).Where(file => Path.GetFileName(file) != LlamaModelWriter.StampFileName))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        var llama2 = await RealTokenizers.Llama2Async();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => RuntimeHarness.StartAsync(models, Generated(llama2)));

        Assert.Equal(
            $"Ember:Models:@ember/tiny-llama:Tokenizer: {Path.Combine(llama2, "tokenizer.json")} has 32000 tokens, but the model in {folder} has 1024 (model.vocab_size of its genai_config.json), and Ember did not write it; point Folder elsewhere to have the model written.",
            error.Message);
    }

    [Fact]
    public async Task Start_WeightsAndCacheOverTheMemory_RefusesNamingTheSizes()
    {
        // int4 tiny: its files on disk, plus 4 slots × 8000 tokens × 512 bytes of cache (RuntimeHarness' cap and context).
        var weights = Directory.EnumerateFiles(models.Folder("int4"), "model.onnx*").Sum(file => new FileInfo(file).Length);
        var cache = 4L * 8000 * 512;
        var settings = new Dictionary<string, string?> { ["Ember:MemoryBytes"] = (weights + cache - 1).ToString(System.Globalization.CultureInfo.InvariantCulture) };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => RuntimeHarness.StartAsync(models, settings, variant: "int4"));

        Assert.StartsWith("The models need ", error.Message, StringComparison.Ordinal);
        Assert.Contains("(Ember:MemoryBytes: configured): @ember/tiny-llama ", error.Message, StringComparison.Ordinal);
        Assert.Contains($"(1 replica(s) × ({ByteSize.Format(weights)} of weights + {ByteSize.Format(cache)} of KV cache)). Use a smaller variant, or lower SequenceCap, Replicas or Limits:ContextTokensLimit.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WeightsAndCacheWithinTheMemory_Serves()
    {
        var weights = Directory.EnumerateFiles(models.Folder("int4"), "model.onnx*").Sum(file => new FileInfo(file).Length);
        var settings = new Dictionary<string, string?> { ["Ember:MemoryBytes"] = (weights + (4L * 8000 * 512)).ToString(System.Globalization.CultureInfo.InvariantCulture) };

        await using var runtime = await RuntimeHarness.StartAsync(models, settings, variant: "int4");

        Assert.True(runtime.Served.IsReady);
    }
}
