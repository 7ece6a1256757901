using Ember.Host.Batch;
using Ember.Host.Tests.Infrastructure;
using Ember.Models.Catalog;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Ember.Host.Tests.Batch;

/// <summary>
/// How much store work a job costs the worker, as a count of store calls and of item rows read (not a timing): one lease
/// and one completion per item, and no read of the job, so an n-item job costs O(n).
/// </summary>
public sealed class BatchStoreWorkTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ember-batch-work-").FullName;

    [Theory]
    [InlineData(1_000)]
    [InlineData(10_000)]
    public async Task Run_JobOfNItems_CostsLinearStoreWork(int items)
    {
        var store = new CountingBatchStore(new SqliteBatchStore(Path.Combine(_folder, "batch.db")));
        await store.MigrateAsync(CancellationToken.None);
        var job = new BatchJob(BatchIds.NewRequestId(), ModelCatalog.TinyLlamaId, "acct", null, DateTimeOffset.UtcNow);
        await store.SubmitAsync(job, [.. Enumerable.Range(0, items).Select(i => new BatchItem(i, """{"prompt":"Hi","max_tokens":2}""", null))], CancellationToken.None);
        var progress = new BatchProgress();
        using ServiceProvider metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var worker = new BatchWorker(
            store,
            new ScriptedTextGeneration(),
            new FakeModelPool(),
            progress,
            new BatchMeters(metrics.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()),
            TimeProvider.System,
            Options.Create(new BatchOptions { Concurrency = 4, PollInterval = TimeSpan.FromMilliseconds(10) }),
            NullLogger<BatchWorker>.Instance);

        await worker.StartAsync(CancellationToken.None);
        await progress.WhenFinishedAsync(job.RequestId, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(10));
        await worker.StopAsync(CancellationToken.None);

        output.WriteLine($"{items} items: {store.Finds} job reads returning {store.ItemRowsRead} item rows; {store.Leases} lease calls ({store.LeasesTaken} taken), {store.Completes} completions, {store.Retries} retries");

        // Before completions answered the job's state, the worker read the whole job back after each item: for 10,000
        // items, 10,000 job reads returning 100,000,000 item rows (measured with this test). Now none.
        Assert.Equal(0, store.Finds);
        Assert.Equal(0, store.ItemRowsRead);
        Assert.Equal(items, store.LeasesTaken);
        Assert.Equal(items, store.Completes);
        Assert.Equal(0, store.Retries);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
