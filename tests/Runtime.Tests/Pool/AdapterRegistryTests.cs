using Ember.Models.Lora;
using Ember.Runtime.Generation;
using Ember.Runtime.Pool;
using Ember.Runtime.Tests.Engine;
using Microsoft.Extensions.DependencyInjection;

namespace Ember.Runtime.Tests.Pool;

/// <summary>
/// Adapters added to a served model while it runs (<see cref="IAdapterRegistry"/>): every replica serves the added adapter
/// with the tokens it gives when declared at start, the names are published after, and the limit and the wave scheduler
/// are refused naming why.
/// </summary>
[Collection(LoraTestGroup.Name)]
public sealed class AdapterRegistryTests(LoraModelFixture models)
{
    private const string Model = "@ember/tiny-llama";
    private const string Lora = "Ember:Models:@ember/tiny-llama:Lora";

    private static readonly TextGenerationRequest Request = new() { Prompt = "the sea and the moon", Raw = true, MaxTokens = 12, Temperature = 0 };

    [Fact]
    public async Task AddAsync_TwoReplicas_EachServesItAsWhenDeclared()
    {
        string expected;
        await using (var declared = await RuntimeHarness.StartAsync(models, Settings(("Adapters:narrow", models.AdapterFolder("narrow")), ("Adapters:wide", models.AdapterFolder("wide"))), "fp32"))
        {
            expected = (await declared.Generation.RunAsync(Model, Request with { Lora = "wide" }, CancellationToken.None)).Response;
        }

        await using var runtime = await RuntimeHarness.StartAsync(models, Settings(("Adapters:narrow", models.AdapterFolder("narrow")), ("../Replicas", "2")), "fp32");
        var model = runtime.Services.GetRequiredService<IModelInventory>().Resolve(Model)!;
        var target = model.AdapterTarget!;
        var wide = LoraAdapter.Load(models.AdapterFolder("wide"), "wide-live", target.Shape, target.Limits);
        var baseText = (await runtime.Generation.RunAsync(Model, Request, CancellationToken.None)).Response;

        var added = await runtime.Services.GetRequiredService<IAdapterRegistry>().AddAsync(model, [wide], CancellationToken.None);

        Assert.Equal(["wide-live"], added);
        Assert.Equal(["narrow", "wide-live"], runtime.Services.GetRequiredService<IModelInventory>().Resolve(Model)!.Adapters);
        var served = runtime.Served.All[Model];
        string[] affinities = [.. Enumerable.Range(0, 64).Select(i => $"key-{i}")];
        foreach (var replica in served.Replicas)
        {
            var affinity = affinities.First(key => ReferenceEquals(served.ReplicaFor(key), replica));
            Assert.Equal(expected, (await runtime.Generation.RunAsync(Model, Request with { Lora = "wide-live", SessionAffinity = affinity }, CancellationToken.None)).Response);
            Assert.Equal(baseText, (await runtime.Generation.RunAsync(Model, Request with { SessionAffinity = affinity }, CancellationToken.None)).Response);
        }

        Assert.NotEqual(baseText, expected);
        Assert.Empty(await runtime.Services.GetRequiredService<IAdapterRegistry>().AddAsync(model, [wide], CancellationToken.None));
    }

    [Fact]
    public async Task AddAsync_PastMaxAdapters_LimitExceededNamingIt()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, Settings(("Adapters:narrow", models.AdapterFolder("narrow")), ("MaxAdapters", "1")), "fp32");
        var model = runtime.Services.GetRequiredService<IModelInventory>().Resolve(Model)!;
        var wide = LoraAdapter.Load(models.AdapterFolder("wide"), "wide-live", model.AdapterTarget!.Shape, model.AdapterTarget.Limits);

        var error = await Assert.ThrowsAsync<AiTextGenerationException>(() => runtime.Services.GetRequiredService<IAdapterRegistry>().AddAsync(model, [wide], CancellationToken.None));

        Assert.Equal(AiErrorKind.LimitExceeded, error.Kind);
        Assert.Equal("model: @ember/tiny-llama serves 1 adapters; 1 more would pass its limit of 1 (Lora:MaxAdapters).", error.Message);
        Assert.Equal(["narrow"], runtime.Services.GetRequiredService<IModelInventory>().Resolve(Model)!.Adapters);
    }

    [Fact]
    public async Task AddAsync_OnWaves_RefusedSayingWhy()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, Settings(("../Scheduler", "Waves")), "fp32");
        var model = runtime.Services.GetRequiredService<IModelInventory>().Resolve(Model)!;
        var wide = LoraAdapter.Load(models.AdapterFolder("wide"), "wide-live", LoraModelFixture.Shape, LoraLimits.Default);

        var error = await Assert.ThrowsAsync<AiTextGenerationException>(() => runtime.Services.GetRequiredService<IAdapterRegistry>().AddAsync(model, [wide], CancellationToken.None));

        Assert.Null(model.AdapterTarget);
        Assert.Equal(AiErrorKind.BadInput, error.Kind);
        Assert.Equal("model: @ember/tiny-llama takes no LoRA adapters: it runs on the wave scheduler (Scheduler: Waves), which serves no adapters; they need Scheduler: Continuous.", error.Message);
    }

    /// <summary>The fp32 model with the given <c>Lora:</c> keys (<c>../</c>: a key of the model itself).</summary>
    private static Dictionary<string, string?> Settings(params (string Key, string Value)[] keys)
    {
        var settings = new Dictionary<string, string?> { ["Ember:Models:@ember/tiny-llama:Variant"] = "Fp32" };
        foreach (var (key, value) in keys)
        {
            settings[key.StartsWith("../", StringComparison.Ordinal) ? $"Ember:Models:{Model}:{key[3..]}" : $"{Lora}:{key}"] = value;
        }

        return settings;
    }
}
