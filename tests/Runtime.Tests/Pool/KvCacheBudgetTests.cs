using Ember.Runtime.Pool;

namespace Ember.Runtime.Tests.Pool;

/// <summary>The KV cache budget, checked on the tiny model before anything loads.</summary>
[Collection(RuntimeTestGroup.Name)]
public sealed class KvCacheBudgetTests(TinyModelFixture models)
{
    // Tiny: 2 layers × 2 KV heads × head size 16 × 2 (keys, values) × 4 bytes = 512 bytes a token.
    private static Dictionary<string, string?> Settings(string budget, string replicas = "1") => new()
    {
        ["Ember:KvCacheBudgetBytes"] = budget,
        ["Ember:Models:@ember/tiny-llama:Replicas"] = replicas,
        ["Ember:Models:@ember/tiny-llama:Limits:ContextTokensLimit"] = "2048",
        ["Ember:Models:@ember/tiny-llama:Limits:SequenceTokensLimit"] = "1024",
    };

    [Fact]
    public async Task Start_CachesOverTheBudget_RefusesNamingEveryNumber()
    {
        // 2 replicas × 4 slots × 2048 tokens × 512 bytes = 8 MiB, against 7 MiB.
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => RuntimeHarness.StartAsync(models, Settings("7340032", replicas: "2")));

        Assert.Equal(
            "The continuous schedulers' KV caches need 8.0 MiB, more than Ember:KvCacheBudgetBytes (7.0 MiB: configured): " +
            "@ember/tiny-llama 8.0 MiB (2 replica(s) × SequenceCap 4 × 2048 tokens × 0.5 KiB a token). " +
            "Lower SequenceCap, Replicas or Limits:ContextTokensLimit of a model, or raise the budget.",
            error.Message);
    }

    [Fact]
    public async Task Start_CachesWithinTheBudget_Serves()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, Settings("8388608", replicas: "2"));

        Assert.True(runtime.Served.IsReady);
    }

    [Fact]
    public void Default_NoLimitSet_IsThreeQuartersOfTheMachinesMemory()
    {
        // This machine sets no GC heap limit, so the runtime reports its physical memory (/proc/meminfo's MemTotal).
        var line = File.ReadLines("/proc/meminfo").First(text => text.StartsWith("MemTotal:", StringComparison.Ordinal));
        var physical = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;

        var (bytes, source) = KvCacheBudget.Default();

        Assert.InRange(bytes, physical / 4 * 3 * 0.99, physical / 4 * 3 * 1.01);
        Assert.Matches(@"^three quarters of the \d+\.\d GiB the \.NET runtime reports available$", source);
    }
}
