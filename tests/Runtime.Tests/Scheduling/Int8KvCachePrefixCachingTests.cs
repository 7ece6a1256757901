using Ember.Runtime.Generation;

namespace Ember.Runtime.Tests.Scheduling;

/// <summary>
/// Prefix caching on the tiny model with an int8 KV cache: kept entries reused in place, and entries copied from a
/// running sequence's slot, answer as a cold prefill of the same prompt does, token for token and log probability for
/// log probability.
/// </summary>
[Collection(Int8KvCacheTestGroup.Name)]
public sealed class Int8KvCachePrefixCachingTests(Int8KvCacheModelFixture models)
{
    private const string History = "the old house at the end of the road had been empty for many years and the children of the town said that at night a light moved from room to room";
    private const string Turn = History + " one summer evening two friends decided to find out";

    private static Dictionary<string, string?> Settings(bool caching, string sequenceCap = "1") => new()
    {
        ["Ember:Models:@ember/tiny-llama:SequenceCap"] = sequenceCap,
        ["Ember:Models:@ember/tiny-llama:PrefixCaching"] = caching ? "true" : "false",
        ["Ember:Models:@ember/tiny-llama:KvCacheType"] = "Int8",
    };

    [Fact]
    public async Task Run_Int8CachePromptExtendingAFinishedSequence_ReusesItsTokensAndAnswersAsCold()
    {
        var cold = await ColdAsync(Turn, 24);
        await using var runtime = await RuntimeHarness.StartAsync(models, Settings(caching: true));

        await PrefixCachingTests.RunAsync(runtime, PrefixCachingTests.Raw(History, 8));
        var hit = await PrefixCachingTests.RunAsync(runtime, PrefixCachingTests.Raw(Turn, 24));

        Assert.True(hit.Result.Usage.CachedPromptTokens >= 30, $"cached {hit.Result.Usage.CachedPromptTokens}");
        Assert.Equal(cold.Tokens, hit.Tokens);
        Assert.Equal(cold.Logprobs, hit.Logprobs);
        Assert.Equal(1, runtime.Pool.GetStatistics(Requests.Tiny)!.PrefixHits);
    }

    [Fact]
    public async Task Run_Int8CachePrefixOfARunningSequence_CopiedIntoTheNewSlotAnswersAsCold()
    {
        var cold = await ColdAsync(Turn, 8);
        await using var runtime = await RuntimeHarness.StartAsync(models, Settings(caching: true, sequenceCap: "2"));
        using var leave = new CancellationTokenSource();
        var running = await runtime.Generation.StartAsync(Requests.Tiny, PrefixCachingTests.Raw(History, 1000), leave.Token);
        (TextGenerationResult Result, List<int> Tokens, List<double> Logprobs) hit;
        await using (await Requests.FirstPieceAsync(running))
        {
            // Slot 0 is busy with History: the new prompt takes slot 1, with History's int8 entries copied from slot 0.
            hit = await PrefixCachingTests.RunAsync(runtime, PrefixCachingTests.Raw(Turn, 8));
            await leave.CancelAsync();
            await running.Completion;
        }

        Assert.True(hit.Result.Usage.CachedPromptTokens >= 30, $"cached {hit.Result.Usage.CachedPromptTokens}");
        Assert.Equal(cold.Tokens, hit.Tokens);
        Assert.Equal(cold.Logprobs, hit.Logprobs);
    }

    private async Task<(TextGenerationResult Result, List<int> Tokens, List<double> Logprobs)> ColdAsync(string prompt, int maxTokens)
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, Settings(caching: false));
        return await PrefixCachingTests.RunAsync(runtime, PrefixCachingTests.Raw(prompt, maxTokens));
    }
}
