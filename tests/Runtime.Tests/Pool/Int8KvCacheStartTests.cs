using Ember.Runtime.Generation;

namespace Ember.Runtime.Tests.Pool;

/// <summary>
/// <c>KvCacheType</c> at start: an int8 cache refused of a graph without one, naming the key; an int8 cache's slots
/// counted at one byte an entry by the KV budget (four times a float32 cache's in the same budget, two times a float16
/// one's) and the start-up log.
/// </summary>
[Collection(Int8KvCacheTestGroup.Name)]
public sealed class Int8KvCacheStartTests(Int8KvCacheModelFixture int8Cache, TinyModelFixture floatCache)
{
    private const string Model = "Ember:Models:@ember/tiny-llama:";

    // Tiny: 2 layers × 2 KV heads × head size 16 × 2 (keys, values) = 128 entries a token; 1 MiB holds 2048 × 512 bytes,
    // one float32 slot of 2048 tokens, two float16 ones, four int8 ones.
    private static Dictionary<string, string?> Settings(int sequenceCap, string kvCacheType) => new()
    {
        ["Ember:KvCacheBudgetBytes"] = "1048576",
        [Model + "SequenceCap"] = sequenceCap.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [Model + "KvCacheType"] = kvCacheType,
        [Model + "Limits:ContextTokensLimit"] = "2048",
        [Model + "Limits:SequenceTokensLimit"] = "1024",
    };

    [Fact]
    public async Task Start_Int8CacheAskedOfAFloatGraph_RefusesNamingTheKey()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => RuntimeHarness.StartAsync(floatCache, Settings(1, "Int8"), variant: "fp32"));

        Assert.Equal(
            $"Ember:Models:@ember/tiny-llama:KvCacheType: Int8 asks for an int8 KV cache, but the graph in {floatCache.Folder("fp32")} keeps its cache in Float, " +
            "and a graph's cache type is fixed when it is written. Ember writes its own models with one (Generate); export other models with the model " +
            "builder's kv_cache_quant_type=int8, or set KvCacheType to Model.",
            error.Message);
    }

    [Theory]
    [InlineData("fp32", 1)]
    [InlineData("fp16", 2)]
    public async Task Start_FloatCacheOverTheBudget_RefusesWhatTheInt8CacheServes(string variant, int floatSlots)
    {
        await using (await RuntimeHarness.StartAsync(floatCache, Settings(floatSlots, "Model"), variant))
        {
        }

        await Assert.ThrowsAsync<InvalidOperationException>(() => RuntimeHarness.StartAsync(floatCache, Settings(floatSlots + 1, "Model"), variant));
        await using var runtime = await RuntimeHarness.StartAsync(int8Cache, Settings(4, "Int8"), variant);
        await Assert.ThrowsAsync<InvalidOperationException>(() => RuntimeHarness.StartAsync(int8Cache, Settings(5, "Int8"), variant));

        Assert.True(runtime.Served.IsReady);
        Assert.Contains(
            runtime.Logs.GetSnapshot(),
            record => record.Message == "@ember/tiny-llama replica 0: continuous scheduler on Cpu, 4 slots of 2048 tokens, KV cache 1 MiB of Int8 (128 bytes a token) in host memory.");
    }

    [Fact]
    public async Task Run_Int8CacheOnTheWaveScheduler_AnswersAsTheContinuousSchedulerDoes()
    {
        // ORT GenAI's generator (the wave scheduler) runs the int8-cache graph too.
        var continuous = await AnswerAsync("Continuous");
        var waves = await AnswerAsync("Waves");

        Assert.Equal(12, continuous.Usage.CompletionTokens);
        Assert.Equal(continuous.Response, waves.Response);
    }

    [Fact]
    public async Task Start_BuilderStyleGraphWithAnInt8Cache_ServesItAsItIsWhenTheModelsOwn()
    {
        // KvCacheType Model takes the graph's own cache type, int8 included, as a builder export with kv_cache_quant_type=int8 has.
        await using var runtime = await RuntimeHarness.StartAsync(int8Cache, Settings(4, "Model"), "int8");

        Assert.Contains(runtime.Logs.GetSnapshot(), record => record.Message.Contains("KV cache 1 MiB of Int8 (128 bytes a token)", StringComparison.Ordinal));
    }

    private async Task<TextGenerationResult> AnswerAsync(string scheduler)
    {
        var settings = Settings(2, "Int8");
        settings[Model + "Scheduler"] = scheduler;
        await using var runtime = await RuntimeHarness.StartAsync(int8Cache, settings, "fp32");
        var request = new TextGenerationRequest { Prompt = "the old house at the end of the road", Raw = true, MaxTokens = 12, Temperature = 0 };
        return await runtime.Generation.RunAsync(Requests.Tiny, request, CancellationToken.None);
    }
}
