using Ember.Runtime.Generation;
using Ember.Runtime.Scheduling;

namespace Ember.Runtime.Tests.Scheduling;

/// <summary>
/// The replica's bounded FIFO on its own, without a model: bound, order, waves, abandonment and closing. Every
/// cancellation is triggered by the test, so nothing waits on a clock.
/// </summary>
public sealed class RequestQueueTests
{
    private const string Model = "@test/queue";

    private static SequenceRequest Request(CancellationToken caller = default, CancellationToken timeout = default) =>
        new(Model, [1, 2, 3], 4, SamplingSettings.Greedy, new TextGeneration(3, 4), caller, timeout);

    private static SequenceRequest Batch() =>
        new(Model, [1, 2, 3], 4, SamplingSettings.Greedy, new TextGeneration(3, 4), default, default) { Priority = RequestPriority.Batch };

    [Fact]
    public void TakeWave_BatchItemsQueuedFirst_ComeAfterEveryInteractiveRequest()
    {
        using var queue = new RequestQueue(8);
        SequenceRequest[] batch = [Batch(), Batch()];
        SequenceRequest[] interactive = [Request(), Request()];
        queue.TryEnqueue(batch[0]);
        queue.TryEnqueue(interactive[0]);
        queue.TryEnqueue(batch[1]);
        queue.TryEnqueue(interactive[1]);

        var first = queue.TakeWave(2, static (_, _) => true);
        var rest = queue.TakeWave(8, static (_, _) => true);

        Assert.Equal(interactive, first);
        Assert.Equal(batch, rest);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void TryEnqueue_BatchAndInteractive_ShareTheBound()
    {
        using var queue = new RequestQueue(2);

        Assert.True(queue.TryEnqueue(Batch()));
        Assert.True(queue.TryEnqueue(Request()));
        Assert.False(queue.TryEnqueue(Request()));
        Assert.Equal(2, queue.Count);
    }

    [Fact]
    public void TryEnqueue_BelowTheBound_ReturnsTrueAndCounts()
    {
        using var queue = new RequestQueue(2);

        Assert.True(queue.TryEnqueue(Request()));
        Assert.True(queue.TryEnqueue(Request()));

        Assert.Equal(2, queue.Count);
    }

    [Fact]
    public void TryEnqueue_Full_ReturnsFalseAndLeavesTheRequestUntouched()
    {
        using var queue = new RequestQueue(2);
        queue.TryEnqueue(Request());
        queue.TryEnqueue(Request());
        var refused = Request();

        Assert.False(queue.TryEnqueue(refused));

        Assert.Equal(2, queue.Count);
        Assert.False(refused.IsFinished);
        Assert.False(refused.Output.Completion.IsCompleted);
    }

    [Fact]
    public void TryEnqueue_BoundZero_ReturnsFalse()
    {
        using var queue = new RequestQueue(0);

        Assert.False(queue.TryEnqueue(Request()));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void TakeWave_FitsAlways_TakesEveryRequestInArrivalOrder()
    {
        using var queue = new RequestQueue(8);
        SequenceRequest[] requests = [Request(), Request(), Request()];
        foreach (var request in requests)
        {
            queue.TryEnqueue(request);
        }

        var wave = queue.TakeWave(8, static (_, _) => true);

        Assert.Equal(requests, wave);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void TakeWave_MoreWaitingThanMax_TakesTheFirstMaxAndLeavesTheRestInOrder()
    {
        using var queue = new RequestQueue(8);
        SequenceRequest[] requests = [Request(), Request(), Request()];
        foreach (var request in requests)
        {
            queue.TryEnqueue(request);
        }

        var first = queue.TakeWave(2, static (_, _) => true);
        var second = queue.TakeWave(2, static (_, _) => true);

        Assert.Equal(requests[..2], first);
        Assert.Equal(requests[2..], second);
    }

    [Fact]
    public void TakeWave_Empty_ReturnsAnEmptyWave()
    {
        using var queue = new RequestQueue(8);

        Assert.Empty(queue.TakeWave(4, static (_, _) => true));
    }

    [Fact]
    public void TakeWave_FitsNever_StillTakesTheFirstRequest()
    {
        using var queue = new RequestQueue(8);
        var first = Request();
        queue.TryEnqueue(first);
        queue.TryEnqueue(Request());

        var wave = queue.TakeWave(4, static (_, _) => false);

        Assert.Same(first, Assert.Single(wave));
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public void TakeWave_SecondDoesNotFit_StopsThereAndTheSecondStaysFirstInLine()
    {
        using var queue = new RequestQueue(8);
        SequenceRequest[] requests = [Request(), Request(), Request()];
        foreach (var request in requests)
        {
            queue.TryEnqueue(request);
        }

        var asked = new List<(SequenceRequest[] Wave, SequenceRequest Candidate)>();
        var wave = queue.TakeWave(4, (taken, candidate) =>
        {
            asked.Add(([.. taken], candidate));
            return false;
        });
        var next = queue.TakeWave(4, static (_, _) => true);

        Assert.Equal(requests[..1], wave);
        var question = Assert.Single(asked);
        Assert.Equal(requests[..1], question.Wave);
        Assert.Same(requests[1], question.Candidate);
        Assert.Equal(requests[1..], next);
    }

    [Fact]
    public void TakeWave_Fits_SeesTheWaveTakenSoFar()
    {
        using var queue = new RequestQueue(8);
        SequenceRequest[] requests = [Request(), Request(), Request(), Request()];
        foreach (var request in requests)
        {
            queue.TryEnqueue(request);
        }

        var sizes = new List<int>();
        var wave = queue.TakeWave(4, (taken, _) =>
        {
            sizes.Add(taken.Count);
            return taken.Count < 2;
        });

        Assert.Equal(requests[..2], wave);
        Assert.Equal([1, 2], sizes);
        Assert.Equal(2, queue.Count);
    }

    [Fact]
    public async Task TryEnqueue_CallerLeavesWhileQueued_RemovesItAtOnceAndFinishesItCancelled()
    {
        using var queue = new RequestQueue(2);
        using var caller = new CancellationTokenSource();
        var leaving = Request(caller.Token);
        var staying = Request();
        queue.TryEnqueue(leaving);
        queue.TryEnqueue(staying);

        await caller.CancelAsync();

        Assert.Equal(1, queue.Count);
        Assert.True(leaving.IsFinished);
        Assert.True(leaving.Output.Completion.IsCompletedSuccessfully);
        var result = await leaving.Output.Completion;
        Assert.Equal(FinishReason.Cancelled, result.FinishReason);
        Assert.Equal(new TextGenerationUsage(3, 0), result.Usage);
        Assert.Equal("", result.Response);
        Assert.Same(staying, Assert.Single(queue.TakeWave(4, static (_, _) => true)));
    }

    [Fact]
    public async Task TryEnqueue_TimeoutPassesWhileQueued_RemovesItAndFailsItWithTimeout()
    {
        using var queue = new RequestQueue(2);
        using var timeout = new CancellationTokenSource();
        var request = Request(timeout: timeout.Token);
        queue.TryEnqueue(request);

        await timeout.CancelAsync();

        Assert.Equal(0, queue.Count);
        var error = await Assert.ThrowsAsync<AiTextGenerationException>(() => request.Output.Completion);
        Assert.Equal(AiErrorKind.Timeout, error.Kind);
        Assert.Equal($"The request to {Model} did not finish within its timeout.", error.Message);
    }

    [Fact]
    public async Task TryEnqueue_AbandonedRequestLeft_FreesItsPlaceForTheNext()
    {
        using var queue = new RequestQueue(1);
        using var caller = new CancellationTokenSource();
        queue.TryEnqueue(Request(caller.Token));
        Assert.False(queue.TryEnqueue(Request()));

        await caller.CancelAsync();

        Assert.True(queue.TryEnqueue(Request()));
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public async Task TryEnqueue_CallerAlreadyGone_ReturnsTrueAndFinishesItCancelledWithoutQueueingIt()
    {
        using var queue = new RequestQueue(2);
        var request = Request(new CancellationToken(canceled: true));

        Assert.True(queue.TryEnqueue(request));

        Assert.Equal(0, queue.Count);
        Assert.Equal(FinishReason.Cancelled, (await request.Output.Completion).FinishReason);
    }

    [Fact]
    public async Task TakeWave_CallerLeavesAfterTheRequestWasTaken_LeavesItToTheScheduler()
    {
        using var queue = new RequestQueue(2);
        using var caller = new CancellationTokenSource();
        var request = Request(caller.Token);
        queue.TryEnqueue(request);
        queue.TakeWave(1, static (_, _) => true);

        await caller.CancelAsync();

        Assert.False(request.IsFinished);
        Assert.True(request.IsAbandoned);
        Assert.False(request.Output.Completion.IsCompleted);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task Close_RequestsWaiting_FailsEveryOneWithTheErrorAndEmptiesTheQueue()
    {
        using var queue = new RequestQueue(4);
        SequenceRequest[] requests = [Request(), Request()];
        foreach (var request in requests)
        {
            queue.TryEnqueue(request);
        }

        var error = new AiTextGenerationException(AiErrorKind.RuntimeFailure, "closed for the test");

        queue.Close(error);

        Assert.Equal(0, queue.Count);
        foreach (var request in requests)
        {
            Assert.True(request.IsFinished);
            Assert.Same(error, await Assert.ThrowsAsync<AiTextGenerationException>(() => request.Output.Completion));
        }
    }

    [Fact]
    public async Task TryEnqueue_AfterClose_ReturnsTrueAndFailsTheRequestAtOnceEvenPastTheBound()
    {
        using var queue = new RequestQueue(0);
        var error = new AiTextGenerationException(AiErrorKind.RuntimeFailure, "closed for the test");
        queue.Close(error);
        var late = Request();

        Assert.True(queue.TryEnqueue(late));

        Assert.Equal(0, queue.Count);
        Assert.True(late.IsFinished);
        Assert.Same(error, await Assert.ThrowsAsync<AiTextGenerationException>(() => late.Output.Completion));
    }

    [Fact]
    public async Task Close_Twice_KeepsTheFirstErrorForLateRequests()
    {
        using var queue = new RequestQueue(4);
        var first = new AiTextGenerationException(AiErrorKind.RuntimeFailure, "first");
        queue.Close(first);
        queue.Close(new AiTextGenerationException(AiErrorKind.RuntimeFailure, "second"));
        var late = Request();

        queue.TryEnqueue(late);

        Assert.Same(first, await Assert.ThrowsAsync<AiTextGenerationException>(() => late.Output.Completion));
    }

    [Fact]
    public void Close_AfterARequestWasTaken_LeavesTheTakenRequestAlone()
    {
        using var queue = new RequestQueue(4);
        var taken = Request();
        queue.TryEnqueue(taken);
        queue.TakeWave(1, static (_, _) => true);

        queue.Close(SchedulerErrors.ShuttingDown());

        Assert.False(taken.IsFinished);
    }

    [Fact]
    public void Wait_OneSignalPerEnqueue_ReturnsOncePerRequest()
    {
        using var queue = new RequestQueue(4);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        queue.TryEnqueue(Request());
        queue.TryEnqueue(Request());

        queue.Wait(limit.Token);
        queue.Wait(limit.Token);

        Assert.False(limit.IsCancellationRequested);
    }

    [Fact]
    public async Task Wait_RequestAbandonedAfterItsSignal_ReturnsAndTheWaveIsEmpty()
    {
        using var queue = new RequestQueue(4);
        using var caller = new CancellationTokenSource();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        queue.TryEnqueue(Request(caller.Token));
        await caller.CancelAsync();

        queue.Wait(limit.Token);

        Assert.Empty(queue.TakeWave(4, static (_, _) => true));
    }

    [Fact]
    public void Wait_NothingEnqueuedAndStopped_ThrowsOperationCanceled()
    {
        using var queue = new RequestQueue(4);

        Assert.Throws<OperationCanceledException>(() => queue.Wait(new CancellationToken(canceled: true)));
    }
}
