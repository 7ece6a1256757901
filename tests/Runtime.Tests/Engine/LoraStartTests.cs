using Ember.Runtime.Generation;
using Ember.Runtime.Options;
using Ember.Runtime.Pool;
using Microsoft.Extensions.DependencyInjection;

namespace Ember.Runtime.Tests.Engine;

/// <summary>Adapters declared in the configuration: checked when the model loads, every refusal named at once; then picked per request by name.</summary>
[Collection(LoraTestGroup.Name)]
public sealed class LoraStartTests(LoraModelFixture models)
{
    private const string Key = "Ember:Models:@ember/tiny-llama:Lora";

    private static readonly string[] Prompts =
    [
        "the sea and the moon", "a small house by the river", "the cat", "where the old road ends in the hills", "moon", "the river and the sea and the house",
    ];

    [Fact]
    public async Task Start_AdaptersThatDoNotFit_RefusedNamingEachKeyAndMismatch()
    {
        var settings = Settings(("MaxRank", "2"));
        settings[$"{Key}:Adapters:wide-onnx"] = models.OnnxAdapterFile("wide");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => RuntimeHarness.StartAsync(models, settings, "fp32"));

        Assert.Equal(
            string.Join(
                Environment.NewLine,
                $"{Key}:Adapters:narrow: adapter_config.json: rank r = 4 is above the limit of 2.",
                $"{Key}:Adapters:wide: adapter_config.json: rank r = 8 is above the limit of 2.",
                $"{Key}:Adapters:wide-onnx: wide.onnx_adapter: rank r = 8 (parameter 'model.layers.0.attn.q_proj.lora_A.weight') is above the limit of 2."),
            error.Message);
    }

    [Fact]
    public async Task Start_EmberFormGraphWithoutAdapterInputs_RefusedNamingTheKey()
    {
        var settings = Settings();
        settings["Ember:Models:@ember/tiny-llama:Folder"] = models.Plain;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => RuntimeHarness.StartAsync(models, settings, "fp32"));

        Assert.Equal(
            $"{Key}: the model is to take adapters, but its graph in {models.Plain} is in Ember's own form (query_seqlens packing) without LoRA inputs, " +
            "which Ember adds only to model builder exports; have Ember write the model (Generate) to get them.",
            error.Message);
    }

    [Fact]
    public async Task Start_AdaptersDeclaredWhileDisabled_RefusedNamingTheKey()
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => RuntimeHarness.StartAsync(models, Settings(("Enabled", "false")), "fp32"));

        Assert.Contains($"{Key}:Adapters: 2 adapters are declared, but Lora:Enabled is false.", error.Failures);
    }

    /// <summary>A model builder export with adapters declared gets its LoRA inputs when it loads: each adapter's text is the merged weights' text.</summary>
    [Fact]
    public async Task Run_BuilderExportWithAdaptersDeclared_TextOfTheMergedWeights()
    {
        var settings = Settings();
        settings["Ember:Models:@ember/tiny-llama:Folder"] = models.Builder("fp32");
        await using var runtime = await RuntimeHarness.StartAsync(models, settings, "fp32");
        var merged = new Dictionary<string, string?> { ["Ember:Models:@ember/tiny-llama:Variant"] = "Fp32", ["Ember:Models:@ember/tiny-llama:Folder"] = models.BuilderMerged(0, "fp32") };
        await using var mergedRuntime = await RuntimeHarness.StartAsync(models, merged, "fp32");
        var request = new TextGenerationRequest { Prompt = "where the old road ends in the hills", Raw = true, MaxTokens = 16, Temperature = 0 };

        var wide = (await runtime.Generation.RunAsync("@ember/tiny-llama", request with { Lora = "wide" }, CancellationToken.None)).Response;
        var baseText = (await runtime.Generation.RunAsync("@ember/tiny-llama", request, CancellationToken.None)).Response;

        Assert.Equal((await mergedRuntime.Generation.RunAsync("@ember/tiny-llama", request, CancellationToken.None)).Response, wide);
        Assert.NotEqual(baseText, wide);
    }

    /// <summary>
    /// A model builder export takes adapters added while it runs (uploaded fine-tunes) only with <c>Lora:Enabled</c>:
    /// without it the addition is refused saying so.
    /// </summary>
    [Fact]
    public async Task AddAdapters_BuilderExport_TakenOnlyWhenEnabled()
    {
        var settings = new Dictionary<string, string?> { ["Ember:Models:@ember/tiny-llama:Variant"] = "Fp32", ["Ember:Models:@ember/tiny-llama:Folder"] = models.Builder("fp32") };
        var request = new TextGenerationRequest { Prompt = "the sea and the moon", Raw = true, MaxTokens = 12, Temperature = 0, Lora = "wide" };
        await using (var off = await RuntimeHarness.StartAsync(models, settings, "fp32"))
        {
            var handle = off.Services.GetRequiredService<IModelInventory>().Resolve("@ember/tiny-llama")!;
            var error = await Assert.ThrowsAsync<AiTextGenerationException>(() => off.Services.GetRequiredService<IAdapterRegistry>().AddAsync(handle, [models.Adapters[0]], CancellationToken.None));

            Assert.Equal(
                $"model: @ember/tiny-llama takes no LoRA adapters: its graph in {models.Builder("fp32")} has no LoRA inputs; set Ember:Models:@ember/tiny-llama:Lora:Enabled to true to have them added (docs/lora.md).",
                error.Message);
        }

        settings[$"{Key}:Enabled"] = "true";
        await using var on = await RuntimeHarness.StartAsync(models, settings, "fp32");
        var served = on.Services.GetRequiredService<IModelInventory>().Resolve("@ember/tiny-llama")!;

        Assert.Equal(["wide"], await on.Services.GetRequiredService<IAdapterRegistry>().AddAsync(served, [models.Adapters[0]], CancellationToken.None));
        var withAdapter = (await on.Generation.RunAsync("@ember/tiny-llama", request, CancellationToken.None)).Response;
        Assert.NotEqual((await on.Generation.RunAsync("@ember/tiny-llama", request with { Lora = null }, CancellationToken.None)).Response, withAdapter);
    }

    [Fact]
    public async Task Run_LoraByName_AdapterTokensUnknownNameRefused()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, Settings(), "fp32");
        var request = new TextGenerationRequest { Prompt = "the sea and the moon", Raw = true, MaxTokens = 12, Temperature = 0 };

        var baseText = (await runtime.Generation.RunAsync("@ember/tiny-llama", request, CancellationToken.None)).Response;
        var wide = (await runtime.Generation.RunAsync("@ember/tiny-llama", request with { Lora = "wide" }, CancellationToken.None)).Response;
        var error = await Assert.ThrowsAsync<AiTextGenerationException>(() => runtime.Generation.RunAsync("@ember/tiny-llama", request with { Lora = "Wide" }, CancellationToken.None));

        Assert.NotEqual(baseText, wide);
        Assert.Equal(wide, (await runtime.Generation.RunAsync("@ember/tiny-llama", request with { Lora = "wide" }, CancellationToken.None)).Response);
        Assert.Equal(AiErrorKind.BadInput, error.Kind);
        Assert.Equal("lora: no adapter 'Wide' for @ember/tiny-llama; it serves 'narrow', 'wide'.", error.Message);
    }

    /// <summary>Adapters declared as <c>.onnx_adapter</c> files (the file's path, or its folder) give the text of their PEFT forms.</summary>
    [Fact]
    public async Task Run_OnnxAdaptersDeclaredByFileAndByFolder_TextOfTheirPeftForms()
    {
        var settings = Settings();
        settings[$"{Key}:Adapters:wide-onnx"] = models.OnnxAdapterFile("wide");
        settings[$"{Key}:Adapters:narrow-onnx"] = Path.GetDirectoryName(models.OnnxAdapterFile("narrow"));
        await using var runtime = await RuntimeHarness.StartAsync(models, settings, "fp32");
        var request = new TextGenerationRequest { Prompt = "where the old road ends in the hills", Raw = true, MaxTokens = 16, Temperature = 0 };

        foreach (var name in LoraModelFixture.AdapterNames)
        {
            var peft = (await runtime.Generation.RunAsync("@ember/tiny-llama", request with { Lora = name }, CancellationToken.None)).Response;
            var onnx = (await runtime.Generation.RunAsync("@ember/tiny-llama", request with { Lora = name + "-onnx" }, CancellationToken.None)).Response;

            Assert.Equal(peft, onnx);
        }
    }

    /// <summary>Requests of both adapters and of none, all at once, each get the text they get alone, under either batching rule.</summary>
    [Theory]
    [InlineData(LoraBatching.PerRow)]
    [InlineData(LoraBatching.Groups)]
    public async Task Run_RequestsOfEveryAdapterAtOnce_EachTheTextItGetsAlone(LoraBatching batching)
    {
        var settings = Settings();
        settings["Ember:Models:@ember/tiny-llama:LoraBatching"] = batching.ToString();
        await using var runtime = await RuntimeHarness.StartAsync(models, settings, "fp32");
        string?[] adapters = ["wide", null, "narrow", "wide", null, "narrow"];
        var requests = adapters.Select((adapter, i) => new TextGenerationRequest { Prompt = Prompts[i], Raw = true, MaxTokens = 10 + i, Temperature = 0, Lora = adapter }).ToArray();
        var alone = new List<string>();
        foreach (var request in requests)
        {
            alone.Add((await runtime.Generation.RunAsync("@ember/tiny-llama", request, CancellationToken.None)).Response);
        }

        var together = await Task.WhenAll(requests.Select(request => runtime.Generation.RunAsync("@ember/tiny-llama", request, CancellationToken.None)));

        Assert.Equal(alone, together.Select(result => result.Response));
    }

    private Dictionary<string, string?> Settings(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Ember:Models:@ember/tiny-llama:Variant"] = "Fp32",
            [$"{Key}:Adapters:wide"] = models.AdapterFolder("wide"),
            [$"{Key}:Adapters:narrow"] = models.AdapterFolder("narrow"),
        };
        foreach (var (key, value) in extra)
        {
            settings[$"{Key}:{key}"] = value;
        }

        return settings;
    }
}
