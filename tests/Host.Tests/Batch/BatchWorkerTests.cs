using System.Diagnostics.Metrics;
using Ember.Host.Batch;
using Ember.Host.Tests.Infrastructure;
using Ember.Models.Catalog;
using Ember.Runtime.Generation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Ember.Host.Tests.Batch;

/// <summary>
/// The worker on a real SQLite store, its time a <see cref="FakeTimeProvider"/> (no sleeps): the heartbeat keeps an
/// item that runs for three leases this node's, a lease lost while the store was out of reach stops the item's run,
/// and a failing store is backed off, its changes of state logged once.
/// </summary>
public sealed class BatchWorkerTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private readonly string _folder = Directory.CreateTempSubdirectory("ember-batch-worker-").FullName;
    private readonly ServiceProvider _metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();

    [Fact]
    public async Task Heartbeat_ItemRunsForThreeLeases_NoOtherNodeTakesIt_AndItRunsOnce()
    {
        var time = new FakeTimeProvider(T0);
        var (sqlite, store, job) = await OneItemJobAsync();
        var generation = new HeldGeneration();
        var progress = new BatchProgress();
        using BatchWorker worker = Worker(store, generation, progress, time, new ListLogger<BatchWorker>());

        await worker.StartAsync(CancellationToken.None);
        await generation.Started.WaitAsync(TimeSpan.FromSeconds(30));
        for (int second = 1; second <= 3 * (int)Lease.TotalSeconds; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));

            // A beat is due each 10 s (a second later if the heartbeat's timer started after the first step).
            int beats = (second - 1) / 10;
            await store.WhenAsync(s => s.Renews >= beats).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Null(await sqlite.LeaseAsync("another-node", time.GetUtcNow(), Lease, CancellationToken.None));
        }

        generation.Release();
        await progress.WhenFinishedAsync(job.RequestId, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        await worker.StopAsync(CancellationToken.None);

        BatchJobState state = (await sqlite.FindAsync(job.RequestId, CancellationToken.None))!;
        Assert.Equal(1, generation.Calls);
        Assert.Equal(BatchItemStatus.Done, state.Items[0].Status);
        Assert.Equal(1, state.Items[0].Attempts);
        Assert.True(state.Items[0].Result!.Success);
        Assert.InRange(store.Renews, 8, 9);
    }

    [Fact]
    public async Task Heartbeat_LeaseLostWhileTheStoreWasOutOfReach_StopsTheRunAndStoresNothing()
    {
        var time = new FakeTimeProvider(T0);
        var (sqlite, store, job) = await OneItemJobAsync();
        var generation = new HeldGeneration();
        var logger = new ListLogger<BatchWorker>();
        using BatchWorker worker = Worker(store, generation, new BatchProgress(), time, logger);
        store.Failing = method => method == nameof(IBatchStore.RenewAsync);

        await worker.StartAsync(CancellationToken.None);
        await generation.Started.WaitAsync(TimeSpan.FromSeconds(30));
        for (int second = 1; second <= (int)Lease.TotalSeconds; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Yield();
        }

        // The lease ran out unrenewed, and another node took the item.
        BatchLease taker = (await sqlite.LeaseAsync("another-node", time.GetUtcNow(), Lease, CancellationToken.None))!;
        Assert.Equal(2, taker.Attempt);
        store.Failing = null;
        long renews = store.Renews;
        time.Advance(Lease / 3);
        await store.WhenAsync(s => s.Renews > renews).WaitAsync(TimeSpan.FromSeconds(30));
        await generation.Cancelled.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(BatchLeaseEnd.JobFinished, await sqlite.CompleteAsync(taker, new BatchItemResult(true, "{\"response\":\"theirs\"}"), time.GetUtcNow(), CancellationToken.None));
        await worker.StopAsync(CancellationToken.None);

        Assert.Equal(0, store.Completes + store.Retries);
        Assert.Equal(1, logger.Count(2306));
        BatchJobState state = (await sqlite.FindAsync(job.RequestId, CancellationToken.None))!;
        Assert.Equal(new BatchItemResult(true, "{\"response\":\"theirs\"}"), state.Items[0].Result);
    }

    [Fact]
    public async Task Stop_RunAnswersWithWhatItHadWhenCancelled_TheItemGoesBackWithNothingStored()
    {
        var time = new FakeTimeProvider(T0);
        var (sqlite, store, job) = await OneItemJobAsync();
        var generation = new HeldGeneration { AnswerWhenCancelled = true };
        var progress = new BatchProgress();
        using BatchWorker worker = Worker(store, generation, progress, time, new ListLogger<BatchWorker>());

        await worker.StartAsync(CancellationToken.None);
        await generation.Started.WaitAsync(TimeSpan.FromSeconds(30));
        await worker.StopAsync(CancellationToken.None);

        // The scheduler answers a cancelled run with its partial text (FinishReason.Cancelled): not the item's answer.
        await generation.Cancelled.WaitAsync(TimeSpan.FromSeconds(30));
        BatchJobState state = (await sqlite.FindAsync(job.RequestId, CancellationToken.None))!;
        Assert.Equal(BatchItemStatus.Queued, state.Items[0].Status);
        Assert.Null(state.Items[0].Result);
        Assert.Null(state.Finished);
        Assert.Equal(0, progress.ItemsCompleted);
    }

    [Fact]
    public async Task StoreFailing_TenMinutes_BacksOffToTheCap_LogsFailingAndRecoveredOnce()
    {
        var time = new FakeTimeProvider(T0);
        var (_, store, job) = await OneItemJobAsync();
        var progress = new BatchProgress();
        var logger = new ListLogger<BatchWorker>();
        using BatchWorker worker = Worker(store, new ScriptedTextGeneration(), progress, time, logger, poll: TimeSpan.FromMilliseconds(100));
        store.Failing = _ => true;

        await worker.StartAsync(CancellationToken.None);
        for (int second = 0; second < 600; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Yield();
        }

        // Polling every 100 ms would have called 6,000 times; backed off, the calls thin out to one each 15-30 s.
        IReadOnlyList<DateTimeOffset> calls = store.LeaseTimes;
        TimeSpan[] gaps = [.. calls.Zip(calls.Skip(1), (a, b) => b - a)];
        Assert.InRange(calls.Count, 12, 60);
        // Time moves in 1 s steps, and a call may run a step late: a few seconds of slack either way.
        Assert.All(gaps, gap => Assert.InRange(gap, TimeSpan.Zero, BatchWorker.MaxStoreBackoff + TimeSpan.FromSeconds(3)));
        Assert.All(gaps.TakeLast(5), gap => Assert.True(gap >= BatchWorker.MaxStoreBackoff / 2 - TimeSpan.FromSeconds(3), $"a late gap of {gap}"));
        Assert.Equal(1, logger.Count(2304));
        Assert.Equal(0, logger.Count(2305));

        store.Failing = null;
        for (int second = 0; second < 40 && progress.ItemsCompleted == 0; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Yield();
        }

        await progress.WhenFinishedAsync(job.RequestId, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        await worker.StopAsync(CancellationToken.None);
        Assert.Equal(1, logger.Count(2304));
        Assert.Equal(1, logger.Count(2305));
        Assert.Equal(0, worker.Backoff.Failures);
    }

    public void Dispose()
    {
        _metrics.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>A SQLite store in the test's folder, counted, holding a job of one item.</summary>
    private async Task<(SqliteBatchStore Sqlite, CountingBatchStore Store, BatchJob Job)> OneItemJobAsync()
    {
        var sqlite = new SqliteBatchStore(Path.Combine(_folder, "batch.db"));
        var store = new CountingBatchStore(sqlite);
        await store.MigrateAsync(CancellationToken.None);
        return (sqlite, store, await SubmitAsync(store, items: 1));
    }

    private static async Task<BatchJob> SubmitAsync(CountingBatchStore store, int items)
    {
        var job = new BatchJob(BatchIds.NewRequestId(), ModelCatalog.TinyLlamaId, "acct", null, T0);
        await store.SubmitAsync(job, [.. Enumerable.Range(0, items).Select(i => new BatchItem(i, """{"prompt":"Hi","max_tokens":2}""", null))], CancellationToken.None);
        return job;
    }

    private BatchWorker Worker(IBatchStore store, IAiTextGeneration generation, BatchProgress progress, TimeProvider time, ListLogger<BatchWorker> logger, TimeSpan? poll = null) => new(
        store,
        generation,
        new FakeModelPool(),
        progress,
        new BatchMeters(_metrics.GetRequiredService<IMeterFactory>()),
        time,
        Options.Create(new BatchOptions { Concurrency = 1, LeaseDuration = Lease, PollInterval = poll ?? TimeSpan.FromSeconds(1) }),
        logger);

    /// <summary>A generation that runs until released, as a long item does.</summary>
    private sealed class HeldGeneration : IAiTextGeneration
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;

        public Task Started => _started.Task;

        public Task Cancelled => _cancelled.Task;

        public int Calls => Volatile.Read(ref _calls);

        /// <summary>Gets a value indicating whether a cancelled run answers with a partial text (as the scheduler does) rather than throwing.</summary>
        public bool AnswerWhenCancelled { get; init; }

        public void Release() => _released.TrySetResult();

        public Task<TextGeneration> StartAsync(string modelId, TextGenerationRequest request, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public async Task<TextGenerationResult> RunAsync(string modelId, TextGenerationRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            _started.TrySetResult();
            try
            {
                await _released.Task.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                _cancelled.TrySetResult();
                if (AnswerWhenCancelled)
                {
                    return new TextGenerationResult("partial", new TextGenerationUsage(2, 1), FinishReason.Cancelled);
                }

                throw;
            }

            return await new ScriptedTextGeneration().RunAsync(modelId, request, cancellationToken);
        }
    }
}
