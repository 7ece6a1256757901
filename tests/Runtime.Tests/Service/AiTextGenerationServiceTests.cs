using Ember.Runtime.Engine;
using Ember.Runtime.Generation;
using Ember.Runtime.Pool;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Ember.Runtime.Tests.Service;

[Collection(RuntimeTestGroup.Name)]
public sealed class AiTextGenerationServiceTests(TinyModelFixture models)
{
    private static readonly string[] MixedPrompts =
    [
        "the cat",
        "Hello, world! How are you today?",
        "a",
        "Once upon a time there was a small house by the sea, and in it lived an old man.",
        "what is the time",
        "one two three four five six",
    ];

    private static Dictionary<string, string?> With(string scheduler, params (string Key, string Value)[] settings)
    {
        var values = new Dictionary<string, string?> { ["Ember:Models:@ember/tiny-llama:Scheduler"] = scheduler };
        foreach (var (key, value) in settings)
        {
            values[$"Ember:Models:@ember/tiny-llama:{key}"] = value;
        }

        return values;
    }

    [Theory]
    [InlineData("fp32", "Continuous")]
    [InlineData("int8", "Continuous")]
    [InlineData("fp16", "Continuous")]
    [InlineData("fp32", "Waves")]
    [InlineData("int8", "Waves")]
    public async Task Run_ConcurrentMixedLengthPrompts_EachGetsItsSoloTokens(string variant, string scheduler)
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, With(scheduler), variant);
        var solo = new List<TextGenerationResult>();
        foreach (var prompt in MixedPrompts)
        {
            solo.Add(await runtime.Generation.RunAsync(Requests.Tiny, Requests.Greedy(prompt, 24), CancellationToken.None));
        }

        var together = await Task.WhenAll(MixedPrompts.Select(p => runtime.Generation.RunAsync(Requests.Tiny, Requests.Greedy(p, 24), CancellationToken.None)));

        Assert.Equal(solo, together);
        Assert.All(together, r => Assert.Equal(24, r.Usage.CompletionTokens));
        Assert.True(runtime.Pool.GetStatistics(Requests.Tiny)!.LargestBatch > 1, "concurrent requests were batched");
    }

    [Theory]
    [InlineData("fp32", 64)]
    [InlineData("fp32", 3)]
    [InlineData("int8", 64)]
    [InlineData("int8", 5)]
    [InlineData("fp16", 64)]
    [InlineData("fp16", 3)]
    public async Task Run_Continuous_SameTokensAsOrtGenAIGenerator(string variant, int prefillChunk)
    {
        await using var waves = await RuntimeHarness.StartAsync(models, With("Waves"), variant);
        var oracle = new List<TextGenerationResult>();
        foreach (var prompt in MixedPrompts)
        {
            oracle.Add(await waves.Generation.RunAsync(Requests.Tiny, Requests.Greedy(prompt, 24), CancellationToken.None));
        }

        await using var continuous = await RuntimeHarness.StartAsync(models, With("Continuous", ("PrefillChunkTokens", prefillChunk.ToString(System.Globalization.CultureInfo.InvariantCulture))), variant);
        var together = await Task.WhenAll(MixedPrompts.Select(p => continuous.Generation.RunAsync(Requests.Tiny, Requests.Greedy(p, 24), CancellationToken.None)));

        Assert.Equal(oracle, together);
    }

    [Fact]
    public async Task Start_Continuous_AdmitsARequestWhileAnotherDecodes()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, With("Continuous", ("SequenceCap", "2")));
        using var stop = new CancellationTokenSource();
        var running = await runtime.Generation.StartAsync(Requests.Tiny, Requests.Greedy("the long one", 4000), stop.Token);
        await using var pieces = await Requests.FirstPieceAsync(running);

        var joined = await runtime.Generation.RunAsync(Requests.Tiny, Requests.Greedy("joins mid-flight", 8), CancellationToken.None);

        Assert.Equal(8, joined.Usage.CompletionTokens);
        Assert.False(running.Completion.IsCompleted, "the long sequence is still decoding");
        stop.Cancel();
        Assert.Equal(FinishReason.Cancelled, (await running.Completion).FinishReason);
        Assert.Equal(2, runtime.Pool.GetStatistics(Requests.Tiny)!.LargestBatch);
    }

    [Theory]
    [InlineData("Continuous", 50)]
    [InlineData("Waves", 4)]
    public async Task Run_MoreRequestsThanTheCap_NeverBatchesMoreThanTheCap(string scheduler, int fewestBatches)
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, With(scheduler, ("SequenceCap", "3")));

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            runtime.Generation.RunAsync(Requests.Tiny, Requests.Greedy($"request number {i}", 16), CancellationToken.None)));

        var statistics = runtime.Pool.GetStatistics(Requests.Tiny)!;
        Assert.Equal(10, statistics.Sequences);
        Assert.InRange(statistics.LargestBatch, 1, 3);
        Assert.True(statistics.Batches >= fewestBatches, $"10 sequences of 16 tokens through a cap of 3 need at least {fewestBatches} batches, saw {statistics.Batches}");
        Assert.All(results, r => Assert.Equal(FinishReason.Length, r.FinishReason));
    }

    [Theory]
    [InlineData("Continuous")]
    [InlineData("Waves")]
    public async Task Start_QueueFull_ThrowsBusy(string scheduler)
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, With(scheduler, ("SequenceCap", "1"), ("QueueBound", "1")));
        using var stop = new CancellationTokenSource();
        var running = await runtime.Generation.StartAsync(Requests.Tiny, Requests.Greedy("the long one", 4000), stop.Token);
        await using var pieces = await Requests.FirstPieceAsync(running);
        var queued = await runtime.Generation.StartAsync(Requests.Tiny, Requests.Greedy("waiting", 4), CancellationToken.None);

        var error = await Assert.ThrowsAsync<AiTextGenerationException>(() => runtime.Generation.StartAsync(Requests.Tiny, Requests.Greedy("one too many", 4), CancellationToken.None));

        Assert.Equal(AiErrorKind.Busy, error.Kind);
        stop.Cancel();
        Assert.Equal(FinishReason.Cancelled, (await running.Completion).FinishReason);
        Assert.Equal(4, (await queued.ReadToEndAsync()).Usage.CompletionTokens);
    }

    [Theory]
    [InlineData("Continuous")]
    [InlineData("Waves")]
    public async Task Start_RejectIfBusyWithNoFreeSlot_ThrowsCapacityExceeded(string scheduler)
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, With(scheduler, ("SequenceCap", "1")));
        using var stop = new CancellationTokenSource();
        var running = await runtime.Generation.StartAsync(Requests.Tiny, Requests.Greedy("the long one", 4000), stop.Token);
        await using var pieces = await Requests.FirstPieceAsync(running);

        var error = await Assert.ThrowsAsync<AiTextGenerationException>(() =>
            runtime.Generation.StartAsync(Requests.Tiny, Requests.Greedy("impatient", 4) with { RejectIfBusy = true }, CancellationToken.None));

        Assert.Equal(AiErrorKind.Busy, error.Kind);
        Assert.Equal("Capacity temporarily exceeded, please try again.", error.Message);
        stop.Cancel();
        await running.Completion;
    }

    [Theory]
    [InlineData("Continuous")]
    [InlineData("Waves")]
    public async Task Cancel_QueuedThenRunning_FreesTheSlotForTheNextRequest(string scheduler)
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, With(scheduler, ("SequenceCap", "1")));
        using var stopRunning = new CancellationTokenSource();
        using var stopQueued = new CancellationTokenSource();
        var running = await runtime.Generation.StartAsync(Requests.Tiny, Requests.Greedy("the long one", 4000), stopRunning.Token);
        await using var pieces = await Requests.FirstPieceAsync(running);
        var queued = await runtime.Generation.StartAsync(Requests.Tiny, Requests.Greedy("waiting", 4000), stopQueued.Token);

        stopQueued.Cancel();
        var queuedResult = await queued.Completion;
        stopRunning.Cancel();
        var runningResult = await running.Completion;
        var next = await runtime.Generation.RunAsync(Requests.Tiny, Requests.Greedy("next", 8), CancellationToken.None);

        Assert.Equal(FinishReason.Cancelled, queuedResult.FinishReason);
        Assert.Equal(0, queuedResult.Usage.CompletionTokens);
        Assert.Equal(FinishReason.Cancelled, runningResult.FinishReason);
        Assert.InRange(runningResult.Usage.CompletionTokens, 1, 3999);
        Assert.Equal(8, next.Usage.CompletionTokens);
        Assert.Equal(2, runtime.Pool.GetStatistics(Requests.Tiny)!.Sequences);
    }

    [Fact]
    public async Task Run_CallerCancels_ThrowsCancelled()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        var run = await Assert.ThrowsAsync<AiTextGenerationException>(() => runtime.Generation.RunAsync(Requests.Tiny, Requests.Greedy("never", 4), cancel.Token));
        var start = await Assert.ThrowsAsync<AiTextGenerationException>(() => runtime.Generation.StartAsync(Requests.Tiny, Requests.Greedy("never", 4), cancel.Token));

        Assert.Equal((AiErrorKind.Cancelled, "The request was cancelled by its caller."), (run.Kind, run.Message));
        Assert.Equal(AiErrorKind.Cancelled, start.Kind);
        Assert.IsType<OperationCanceledException>(start.InnerException);
    }

    [Theory]
    [InlineData("Continuous")]
    [InlineData("Waves")]
    public async Task Start_QueuedAndRunningPastTheirTimeout_FailWithTimeout(string scheduler)
    {
        var time = new FakeTimeProvider();
        await using var runtime = await RuntimeHarness.StartAsync(models, With(scheduler, ("SequenceCap", "1"), ("RequestTimeout", "00:01:00"), ("Limits:SequenceTokensLimit", "16000"), ("Limits:ContextTokensLimit", "16384")), time: time);
        var running = await runtime.Generation.StartAsync(Requests.Tiny, Requests.Greedy("the long one", 16000), CancellationToken.None);
        await using var pieces = await Requests.FirstPieceAsync(running);
        var queued = await runtime.Generation.StartAsync(Requests.Tiny, Requests.Greedy("waiting", 16000), CancellationToken.None);

        // Both timeouts pass at once: the queued request leaves its queue, the running one its slot at the next step.
        time.Advance(TimeSpan.FromMinutes(1));

        var queuedError = await Assert.ThrowsAsync<AiTextGenerationException>(() => queued.Completion);
        var runningError = await Assert.ThrowsAsync<AiTextGenerationException>(() => running.Completion);

        Assert.Equal(AiErrorKind.Timeout, queuedError.Kind);
        Assert.Equal(AiErrorKind.Timeout, runningError.Kind);
    }

    [Theory]
    [InlineData("Continuous")]
    [InlineData("Waves")]
    public async Task Run_SameSeed_SameTextAndDifferentSeedDiffers(string scheduler)
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, With(scheduler));
        TextGenerationRequest Sampled(long seed) => new() { Prompt = "tell me a story", MaxTokens = 32, Temperature = 1.5, TopK = 50, Seed = seed };

        var first = await runtime.Generation.RunAsync(Requests.Tiny, Sampled(42), CancellationToken.None);
        var again = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => runtime.Generation.RunAsync(Requests.Tiny, Sampled(42), CancellationToken.None)));
        var other = await runtime.Generation.RunAsync(Requests.Tiny, Sampled(7), CancellationToken.None);
        var greedy = await runtime.Generation.RunAsync(Requests.Tiny, Requests.Greedy("tell me a story", 32), CancellationToken.None);

        Assert.All(again, r => Assert.Equal(first.Response, r.Response));
        Assert.NotEqual(first.Response, other.Response);
        Assert.NotEqual(greedy.Response, first.Response);
    }

    [Theory]
    [InlineData("Continuous")]
    [InlineData("Waves")]
    public async Task Stop_WhileDecoding_FailsRunningAndQueuedAndReturns(string scheduler)
    {
        var runtime = await RuntimeHarness.StartAsync(models, With(scheduler, ("SequenceCap", "1"), ("Limits:SequenceTokensLimit", "16000"), ("Limits:ContextTokensLimit", "16384")));
        var running = await runtime.Generation.StartAsync(Requests.Tiny, Requests.Greedy("the long one", 16000), CancellationToken.None);
        await using var pieces = await Requests.FirstPieceAsync(running);
        var queued = await runtime.Generation.StartAsync(Requests.Tiny, Requests.Greedy("waiting", 4), CancellationToken.None);

        await runtime.DisposeAsync();

        var runningError = await Assert.ThrowsAsync<AiTextGenerationException>(() => running.Completion);
        var queuedError = await Assert.ThrowsAsync<AiTextGenerationException>(() => queued.Completion);
        Assert.Equal((AiErrorKind.RuntimeFailure, "The server is shutting down."), (runningError.Kind, runningError.Message));
        Assert.Equal((AiErrorKind.RuntimeFailure, "The server is shutting down."), (queuedError.Kind, queuedError.Message));
        Assert.Equal(AiErrorKind.RuntimeFailure, (await Assert.ThrowsAsync<AiTextGenerationException>(() => running.ReadToEndAsync())).Kind);
    }

    [Theory]
    [InlineData("Continuous")]
    [InlineData("Waves")]
    public async Task Stop_AfterServing_LeavesNoNativeObject(string scheduler)
    {
        var before = NativeObjectCounter.Live;
        var runtime = await RuntimeHarness.StartAsync(models, With(scheduler));
        await runtime.Generation.RunAsync(Requests.Tiny, Requests.Greedy("count me", 8), CancellationToken.None);
        Assert.True(NativeObjectCounter.Live > before, "the loaded model and tokenizer are counted");

        await runtime.DisposeAsync();

        Assert.Equal(before, NativeObjectCounter.Live);
    }

    [Fact]
    public async Task Run_ByHandle_SameTokensAsById()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);
        var model = runtime.Services.GetRequiredService<IModelInventory>().Resolve(Requests.Tiny)!;

        var byId = await runtime.Generation.RunAsync(Requests.Tiny, Requests.Greedy("the cat", 12), CancellationToken.None);
        var byHandle = await runtime.Generation.RunAsync(model, Requests.Greedy("the cat", 12), CancellationToken.None);

        // The second run finds the first one's prompt in the prefix cache; the rest is the same.
        Assert.Equal((byId.Response, byId.FinishReason, byId.Usage.PromptTokens), (byHandle.Response, byHandle.FinishReason, byHandle.Usage.PromptTokens));
        Assert.Equal(12, byHandle.Usage.CompletionTokens);
    }

    [Fact]
    public async Task Start_HandleOfAModelNotInstalled_ThrowsModelNotInstalled()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);
        var model = runtime.Services.GetRequiredService<IModelInventory>().Resolve("@hf/codellama/codellama-7b-hf")!;

        var error = await Assert.ThrowsAsync<AiTextGenerationException>(() => runtime.Generation.StartAsync(model, new TextGenerationRequest { Prompt = "hi" }, CancellationToken.None));

        Assert.Equal(
            (AiErrorKind.ModelNotInstalled, "Model '@hf/codellama/codellama-7b-hf' is in the catalog but not installed on this server; add it to runtime.json."),
            (error.Kind, error.Message));
    }
}
