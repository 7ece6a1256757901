using Ember.Models.Chat;
using Ember.Runtime.Generation;
using Microsoft.Extensions.Time.Testing;

namespace Ember.Runtime.Tests.Scheduling;

/// <summary>
/// Prefix caching on the continuous scheduler with the real tiny model: a prompt that starts like an earlier sequence's
/// tokens takes that slot and prefills only the rest, and its greedy output is the cold output token for token, however
/// the earlier sequence ended.
/// </summary>
[Collection(RuntimeTestGroup.Name)]
public sealed class PrefixCachingTests(TinyModelFixture models)
{
    private const string History = "the old house at the end of the road had been empty for many years and the children of the town said that at night a light moved from room to room";
    private const string Turn = History + " one summer evening two friends decided to find out";

    private static Dictionary<string, string?> Settings(bool caching, params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Ember:Models:@ember/tiny-llama:SequenceCap"] = "1",
            ["Ember:Models:@ember/tiny-llama:PrefixCaching"] = caching ? "true" : "false",
        };
        foreach (var (key, value) in more)
        {
            settings["Ember:Models:@ember/tiny-llama:" + key] = value;
        }

        return settings;
    }

    /// <summary>A greedy raw request that reports each token's log probability: equal logprobs show the model saw the same cache entries.</summary>
    internal static TextGenerationRequest Raw(string prompt, int maxTokens) => new() { Prompt = prompt, Raw = true, MaxTokens = maxTokens, Temperature = 0, TopLogprobs = 0 };

    [Fact]
    public async Task Run_PromptExtendingAFinishedSequence_ReusesItsTokensAndAnswersAsCold()
    {
        var cold = await ColdAsync(Turn, 24);
        await using var runtime = await RuntimeHarness.StartAsync(models, Settings(caching: true));

        var first = await RunAsync(runtime, Raw(History, 8));
        var hit = await RunAsync(runtime, Raw(Turn, 24));

        Assert.Equal(0, first.Result.Usage.CachedPromptTokens);
        Assert.Equal(ExpectedShared(runtime, History, first.Tokens, Turn), hit.Result.Usage.CachedPromptTokens);
        Assert.True(hit.Result.Usage.CachedPromptTokens >= 30, $"cached {hit.Result.Usage.CachedPromptTokens}");
        Assert.Equal(cold.Tokens, hit.Tokens);
        Assert.Equal(cold.Logprobs, hit.Logprobs);
        Assert.Equal(cold.Result.Response, hit.Result.Response);
        Assert.Equal(cold.Result.Usage.PromptTokens, hit.Result.Usage.PromptTokens);
        var statistics = runtime.Pool.GetStatistics(Requests.Tiny)!;
        Assert.Equal((1, 1, hit.Result.Usage.CachedPromptTokens), (statistics.PrefixHits, statistics.PrefixMisses, statistics.CachedTokens));
    }

    [Fact]
    public async Task Run_SamePromptAgain_ReusesAllButItsLastTokenAndAnswersTheSame()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, Settings(caching: true));

        var first = await RunAsync(runtime, Raw(Turn, 16));
        var again = await RunAsync(runtime, Raw(Turn, 16));

        Assert.Equal(first.Result.Usage.PromptTokens - 1, again.Result.Usage.CachedPromptTokens);
        Assert.Equal(first.Tokens, again.Tokens);
    }

    [Fact]
    public async Task Run_CachingOff_NeverReuses()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, Settings(caching: false));

        await RunAsync(runtime, Raw(History, 8));
        var second = await RunAsync(runtime, Raw(Turn, 8));

        Assert.Equal(0, second.Result.Usage.CachedPromptTokens);
        Assert.Equal((0, 0), (runtime.Pool.GetStatistics(Requests.Tiny)!.PrefixHits, runtime.Pool.GetStatistics(Requests.Tiny)!.PrefixMisses));
    }

    [Fact]
    public async Task Run_PromptSharingTooLittle_TakesTheSlotCold()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, Settings(caching: true));

        await RunAsync(runtime, Raw(History, 8));
        var other = await RunAsync(runtime, Raw("the old house was red", 8));

        Assert.Equal(0, other.Result.Usage.CachedPromptTokens);
    }

    [Fact]
    public async Task Run_AfterTheEarlierSequenceWasCancelledMidStream_HitAnswersAsCold()
    {
        var cold = await ColdAsync(Turn, 24);
        await using var runtime = await RuntimeHarness.StartAsync(models, Settings(caching: true));
        using var cancel = new CancellationTokenSource();
        var abandoned = await runtime.Generation.StartAsync(Requests.Tiny, Raw(History, 1000), cancel.Token);
        var read = new List<int>();
        await foreach (var piece in abandoned.ReadPiecesAsync())
        {
            read.Add(piece.TokenId);
            if (read.Count == 5)
            {
                await cancel.CancelAsync();
                break;
            }
        }

        await abandoned.Completion;
        var hit = await RunAsync(runtime, Raw(Turn, 24));

        Assert.True(hit.Result.Usage.CachedPromptTokens >= 30, $"cached {hit.Result.Usage.CachedPromptTokens}");
        Assert.Equal(cold.Tokens, hit.Tokens);
        Assert.Equal(cold.Logprobs, hit.Logprobs);
    }

    [Fact]
    public async Task Run_AfterTheEarlierSequenceTimedOut_HitAnswersAsCold()
    {
        var cold = await ColdAsync(Turn, 24);
        var time = new FakeTimeProvider();
        await using var runtime = await RuntimeHarness.StartAsync(models, Settings(caching: true, ("RequestTimeout", "00:01:00")), time: time);
        var running = await runtime.Generation.StartAsync(Requests.Tiny, Raw(History, 1000), CancellationToken.None);
        await using (var pieces = await Requests.FirstPieceAsync(running))
        {
            time.Advance(TimeSpan.FromMinutes(1));
            var error = await Assert.ThrowsAsync<AiTextGenerationException>(() => running.Completion);
            Assert.Equal(AiErrorKind.Timeout, error.Kind);
        }

        var hit = await RunAsync(runtime, Raw(Turn, 24));

        Assert.True(hit.Result.Usage.CachedPromptTokens >= 30, $"cached {hit.Result.Usage.CachedPromptTokens}");
        Assert.Equal(cold.Tokens, hit.Tokens);
        Assert.Equal(cold.Logprobs, hit.Logprobs);
    }

    [Fact]
    public async Task Run_AfterTheEarlierSequenceEndedAtTheContextLimit_HitAnswersAsCold()
    {
        (string, string)[] context = [("Limits:ContextTokensLimit", "128"), ("Limits:SequenceTokensLimit", "128"), ("Limits:DefaultMaxTokens", "128"), ("Limits:DefaultMaxTokensStream", "128")];
        var cold = await ColdAsync(Turn, 8, context);
        await using var runtime = await RuntimeHarness.StartAsync(models, Settings(caching: true, context));

        // No max_tokens: the default shrinks to what the context leaves, so the sequence fills the slot to its end.
        var full = await RunAsync(runtime, Raw(History, 1) with { MaxTokens = null });
        var hit = await RunAsync(runtime, Raw(Turn, 8));

        Assert.Equal(FinishReason.Length, full.Result.FinishReason);
        Assert.True(hit.Result.Usage.CachedPromptTokens >= 30, $"cached {hit.Result.Usage.CachedPromptTokens}");
        Assert.Equal(cold.Tokens, hit.Tokens);
        Assert.Equal(cold.Logprobs, hit.Logprobs);
    }

    [Fact]
    public async Task Run_AfterAStopStringEndedTheEarlierSequence_HitAnswersAsCold()
    {
        var cold = await ColdAsync(Turn, 24);
        var plain = await ColdAsync(History, 12);
        await using var runtime = await RuntimeHarness.StartAsync(models, Settings(caching: true));

        // A stop string the earlier sequence's own text reaches at its sixth token: the runtime ends it there.
        var stop = plain.Result.Response.Split(' ', StringSplitOptions.RemoveEmptyEntries)[5];
        var stopped = await RunAsync(runtime, Raw(History, 1000) with { Stop = [stop] });
        var hit = await RunAsync(runtime, Raw(Turn, 24));

        Assert.Equal(FinishReason.Stop, stopped.Result.FinishReason);
        Assert.True(hit.Result.Usage.CachedPromptTokens >= 30, $"cached {hit.Result.Usage.CachedPromptTokens}");
        Assert.Equal(cold.Tokens, hit.Tokens);
        Assert.Equal(cold.Logprobs, hit.Logprobs);
    }

    [Fact]
    public async Task Run_FreeSlotKeptWhileAnotherDecodesBesideIt_HitAnswersAsCold()
    {
        var cold = await ColdAsync(Turn, 8);
        await using var runtime = await RuntimeHarness.StartAsync(models, Settings(caching: true, ("SequenceCap", "2")));
        using var leaveFirst = new CancellationTokenSource();
        using var leaveSecond = new CancellationTokenSource();
        var first = await runtime.Generation.StartAsync(Requests.Tiny, Raw(History, 1000), leaveFirst.Token);
        var second = await runtime.Generation.StartAsync(Requests.Tiny, Raw("a train moves from one station to the next", 1000), leaveSecond.Token);
        await using (await Requests.FirstPieceAsync(first))
        await using (var pieces = await Requests.FirstPieceAsync(second))
        {
            // Slot 0 ends and is kept; slot 1 decodes on beside it, so slot 0 runs as a throw-away row of those steps.
            await leaveFirst.CancelAsync();
            await first.Completion;
            for (var i = 0; i < 8; i++)
            {
                Assert.True(await pieces.MoveNextAsync());
            }

            await leaveSecond.CancelAsync();
            await second.Completion;
        }

        var hit = await RunAsync(runtime, Raw(Turn, 8));

        Assert.True(hit.Result.Usage.CachedPromptTokens >= 30, $"cached {hit.Result.Usage.CachedPromptTokens}");
        Assert.Equal(cold.Tokens, hit.Tokens);
        Assert.Equal(cold.Logprobs, hit.Logprobs);
    }

    [Fact]
    public async Task Run_PrefixOfARunningSequence_CopiedIntoTheNewSlotAnswersAsCold()
    {
        var cold = await ColdAsync(Turn, 8);
        await using var runtime = await RuntimeHarness.StartAsync(models, Settings(caching: true, ("SequenceCap", "2")));
        using var leave = new CancellationTokenSource();
        var running = await runtime.Generation.StartAsync(Requests.Tiny, Raw(History, 1000), leave.Token);
        TextGenerationResult hitResult;
        (TextGenerationResult Result, List<int> Tokens, List<double> Logprobs) hit;
        await using (await Requests.FirstPieceAsync(running))
        {
            // Slot 0 is busy with History: the new prompt takes slot 1, with History's entries copied from slot 0.
            hit = await RunAsync(runtime, Raw(Turn, 8));
            hitResult = hit.Result;
            await leave.CancelAsync();
            await running.Completion;
        }

        Assert.True(hitResult.Usage.CachedPromptTokens >= 30, $"cached {hitResult.Usage.CachedPromptTokens}");
        Assert.Equal(cold.Tokens, hit.Tokens);
        Assert.Equal(cold.Logprobs, hit.Logprobs);
    }

    private async Task<(TextGenerationResult Result, List<int> Tokens, List<double> Logprobs)> ColdAsync(string prompt, int maxTokens, params (string, string)[] more)
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, Settings(caching: false, more));
        return await RunAsync(runtime, Raw(prompt, maxTokens));
    }

    /// <summary>Runs <paramref name="request"/> to its end: the result, each generated token and its log probability.</summary>
    internal static async Task<(TextGenerationResult Result, List<int> Tokens, List<double> Logprobs)> RunAsync(RuntimeHarness runtime, TextGenerationRequest request)
    {
        var generation = await runtime.Generation.StartAsync(Requests.Tiny, request, CancellationToken.None);
        var tokens = new List<int>();
        var logprobs = new List<double>();
        await foreach (var piece in generation.ReadPiecesAsync())
        {
            if (piece.TokenId >= 0)
            {
                tokens.Add(piece.TokenId);
                logprobs.Add(piece.Logprobs!.Chosen.Logprob);
            }
        }

        return (await generation.Completion, tokens, logprobs);
    }

    /// <summary>The tokens a slot keeps after <paramref name="earlier"/> generated <paramref name="generated"/> (all but the last were fed), shared with <paramref name="next"/>.</summary>
    private static int ExpectedShared(RuntimeHarness runtime, string earlier, List<int> generated, string next)
    {
        Assert.True(runtime.Served.TryGet(Requests.Tiny, out var served));
        var model = served.Replicas[0].Model;
        int[] kept = [.. model.Encode(PromptBuilder.FromPrompt(served.Template, earlier, raw: true)), .. generated.Take(generated.Count - 1)];
        var prompt = model.Encode(PromptBuilder.FromPrompt(served.Template, next, raw: true));
        return Math.Min(prompt.AsSpan().CommonPrefixLength(kept), prompt.Length - 1);
    }
}
