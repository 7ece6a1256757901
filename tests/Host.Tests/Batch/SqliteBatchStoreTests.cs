using System.Collections.Concurrent;
using Ember.Host.Batch;
using Microsoft.Data.Sqlite;

namespace Ember.Host.Tests.Batch;

/// <summary><see cref="SqliteBatchStore"/> on a real file in a temporary folder (a folder that does not exist yet).</summary>
public sealed class SqliteBatchStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2025, 6, 1, 12, 0, 0, 123, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ember-sqlite-" + Guid.NewGuid().ToString("N"));
    private readonly string _file;

    public SqliteBatchStoreTests()
    {
        _file = Path.Combine(_folder, "data", "batch.db");
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static CancellationToken Ct => CancellationToken.None;

    private async Task<SqliteBatchStore> MigratedAsync()
    {
        var store = new SqliteBatchStore(_file);
        await store.MigrateAsync(Ct);
        return store;
    }

    private static BatchJob Job(string id, DateTimeOffset created) => new(id, "@cf/meta/llama-3.1-8b-instruct", "acct123", "owner-digest", created);

    private static BatchItem[] Items(int count) =>
        Enumerable.Range(0, count).Select(i => new BatchItem(i, "{\"prompt\":\"p" + i + "\"}", "ref-" + i)).ToArray();

    private async Task<object?> QueryAsync(string sql)
    {
        using var connection = new SqliteConnection("Data Source=" + _file);
        await connection.OpenAsync(Ct);
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(Ct);
    }

    private static async Task<BatchJobState> FindAsync(SqliteBatchStore store, string id) => (await store.FindAsync(id, Ct))!;

    [Fact]
    public async Task MigrateAsync_Twice_IsVersionOneInWalMode()
    {
        SqliteBatchStore store = await MigratedAsync();

        await store.MigrateAsync(Ct);

        Assert.Equal(1, SqliteBatchStore.SchemaVersion);
        Assert.Equal(1L, await QueryAsync("SELECT COUNT(*) FROM schema_version;"));
        Assert.Equal(1L, await QueryAsync("SELECT MAX(version) FROM schema_version;"));
        Assert.Equal("wal", await QueryAsync("PRAGMA journal_mode;"));
        Assert.Equal(new BatchCounts(0, 0, 0, 0), await store.CountAsync(Ct));
    }

    [Fact]
    public async Task SubmitAsync_ThenFind_ReturnsExactJobAndItems()
    {
        SqliteBatchStore store = await MigratedAsync();
        BatchJob job = new("req-1", "@cf/model", "acct123", null, T0);
        BatchItem[] items =
        [
            new(0, "{\"prompt\":\"a\"}", "first"),
            new(1, "{\"prompt\":\"b\"}", null),
            new(2, "{\"prompt\":\"c\"}", "third", new BatchItemResult(false, "{\"code\":5006,\"message\":\"bad\"}")),
        ];

        await store.SubmitAsync(job, items, Ct);
        BatchJobState state = await FindAsync(store, "req-1");

        Assert.Equal(job, state.Job);
        Assert.Null(state.Finished);
        Assert.Equal(
            [
                new BatchItemState(0, BatchItemStatus.Queued, "first", null, 0),
                new BatchItemState(1, BatchItemStatus.Queued, null, null, 0),
                new BatchItemState(2, BatchItemStatus.Done, "third", new BatchItemResult(false, "{\"code\":5006,\"message\":\"bad\"}"), 0),
            ],
            state.Items);
        Assert.Null(await store.FindAsync("req-unknown", Ct));
    }

    [Fact]
    public async Task LeaseAsync_OldestJobFirst_ThenLowestIndex()
    {
        SqliteBatchStore store = await MigratedAsync();
        await store.SubmitAsync(Job("job-newer", T0.AddSeconds(1)), Items(1), Ct);
        await store.SubmitAsync(Job("job-older", T0), Items(2), Ct);

        BatchLease? first = await store.LeaseAsync("node-a", T0.AddMinutes(1), Lease, Ct);
        BatchLease? second = await store.LeaseAsync("node-a", T0.AddMinutes(1), Lease, Ct);
        BatchLease? third = await store.LeaseAsync("node-a", T0.AddMinutes(1), Lease, Ct);
        BatchLease? none = await store.LeaseAsync("node-a", T0.AddMinutes(1), Lease, Ct);

        Assert.Equal(("job-older", 0, "{\"prompt\":\"p0\"}", 1), (first!.RequestId, first.Index, first.Body, first.Attempt));
        Assert.Equal("@cf/meta/llama-3.1-8b-instruct", first.Model);
        Assert.Equal(32, first.Token.Length);
        Assert.Equal(("job-older", 1), (second!.RequestId, second.Index));
        Assert.Equal(("job-newer", 0), (third!.RequestId, third.Index));
        Assert.Null(none);
        Assert.Equal(new BatchCounts(0, 3, 0, 2), await store.CountAsync(Ct));
    }

    [Fact]
    public async Task LeaseAsync_SkipsDoneAndUnexpiredRunning()
    {
        SqliteBatchStore store = await MigratedAsync();
        await store.SubmitAsync(
            Job("job", T0),
            [new BatchItem(0, "{}", null, new BatchItemResult(false, "{\"code\":1}")), new BatchItem(1, "{}", null)],
            Ct);

        BatchLease? leased = await store.LeaseAsync("node-a", T0, Lease, Ct);
        BatchLease? beforeExpiry = await store.LeaseAsync("node-b", T0 + Lease - TimeSpan.FromMilliseconds(1), Lease, Ct);

        Assert.Equal(1, leased!.Index);
        Assert.Null(beforeExpiry);
    }

    [Fact]
    public async Task RenewAsync_HeldLease_IsExtended_SoNoOtherNodeTakesItUntilTheNewExpiry()
    {
        SqliteBatchStore store = await MigratedAsync();
        await store.SubmitAsync(Job("job", T0), Items(2), Ct);
        BatchLease first = (await store.LeaseAsync("node-a", T0, Lease, Ct))!;
        BatchLease second = (await store.LeaseAsync("node-a", T0, Lease, Ct))!;

        IReadOnlySet<string> held = await store.RenewAsync([first, second], T0 + Lease + Lease, Ct);

        Assert.Equal(new HashSet<string> { first.Token, second.Token }, held);
        Assert.Null(await store.LeaseAsync("node-b", T0 + Lease + Lease - TimeSpan.FromMilliseconds(1), Lease, Ct));
        Assert.Equal(0, (await store.LeaseAsync("node-b", T0 + Lease + Lease, Lease, Ct))!.Index);
    }

    [Fact]
    public async Task RenewAsync_LeaseTakenByAnotherNodeOrEnded_IsNotHeld_AndTheOtherKeepsIt()
    {
        SqliteBatchStore store = await MigratedAsync();
        await store.SubmitAsync(Job("job", T0), Items(2), Ct);
        BatchLease stolen = (await store.LeaseAsync("node-a", T0, Lease, Ct))!;
        BatchLease ended = (await store.LeaseAsync("node-a", T0, Lease, Ct))!;
        await store.CompleteAsync(ended, new BatchItemResult(true, "{}"), T0, Ct);
        BatchLease taker = (await store.LeaseAsync("node-b", T0 + Lease, Lease, Ct))!;

        IReadOnlySet<string> held = await store.RenewAsync([stolen, ended], T0 + Lease * 10, Ct);

        Assert.Empty(held);
        Assert.Equal(stolen.Index, taker.Index);
        Assert.Equal(BatchLeaseEnd.JobFinished, await store.CompleteAsync(taker, new BatchItemResult(true, "{}"), T0 + Lease, Ct));
        Assert.Empty(await store.RenewAsync([], T0, Ct));
    }

    [Fact]
    public async Task LeaseAsync_ExpiredLease_IsLeasedAgainWithNewToken_OldTokenLoses()
    {
        SqliteBatchStore store = await MigratedAsync();
        await store.SubmitAsync(Job("job", T0), Items(1), Ct);
        BatchLease old = (await store.LeaseAsync("node-a", T0, Lease, Ct))!;

        BatchLease again = (await store.LeaseAsync("node-b", T0 + Lease, Lease, Ct))!;
        BatchLeaseEnd oldCompleted = await store.CompleteAsync(old, new BatchItemResult(true, "{\"response\":\"old\"}"), T0 + Lease, Ct);
        BatchLeaseEnd oldRetried = await store.RetryAsync(old, new BatchItemResult(false, "{\"code\":1}"), 5, T0 + Lease, Ct);
        BatchLeaseEnd newCompleted = await store.CompleteAsync(again, new BatchItemResult(true, "{\"response\":\"new\"}"), T0 + Lease + Lease, Ct);

        Assert.Equal(("job", 0, 2), (again.RequestId, again.Index, again.Attempt));
        Assert.NotEqual(old.Token, again.Token);
        Assert.Equal(BatchLeaseEnd.Lost, oldCompleted);
        Assert.Equal(BatchLeaseEnd.Lost, oldRetried);
        Assert.Equal(BatchLeaseEnd.JobFinished, newCompleted);
        BatchJobState state = await FindAsync(store, "job");
        Assert.Equal([new BatchItemState(0, BatchItemStatus.Done, "ref-0", new BatchItemResult(true, "{\"response\":\"new\"}"), 2)], state.Items);
        Assert.Equal(T0 + Lease + Lease, state.Finished);
    }

    [Fact]
    public async Task CompleteAsync_LastItem_FinishesJob_SecondCompleteLoses()
    {
        SqliteBatchStore store = await MigratedAsync();
        await store.SubmitAsync(Job("job", T0), Items(2), Ct);
        BatchLease first = (await store.LeaseAsync("node-a", T0, Lease, Ct))!;
        BatchLease second = (await store.LeaseAsync("node-a", T0, Lease, Ct))!;

        Assert.Equal(BatchLeaseEnd.Done, await store.CompleteAsync(first, new BatchItemResult(true, "{\"response\":\"one\"}"), T0.AddSeconds(1), Ct));
        Assert.Null((await FindAsync(store, "job")).Finished);
        Assert.Equal(BatchLeaseEnd.JobFinished, await store.CompleteAsync(second, new BatchItemResult(false, "{\"code\":3040,\"message\":\"busy\"}"), T0.AddSeconds(2), Ct));
        Assert.Equal(BatchLeaseEnd.Lost, await store.CompleteAsync(second, new BatchItemResult(true, "{\"response\":\"again\"}"), T0.AddSeconds(3), Ct));

        BatchJobState state = await FindAsync(store, "job");
        Assert.Equal(T0.AddSeconds(2), state.Finished);
        Assert.Equal(
            [
                new BatchItemState(0, BatchItemStatus.Done, "ref-0", new BatchItemResult(true, "{\"response\":\"one\"}"), 1),
                new BatchItemState(1, BatchItemStatus.Done, "ref-1", new BatchItemResult(false, "{\"code\":3040,\"message\":\"busy\"}"), 1),
            ],
            state.Items);
        Assert.Equal(new BatchCounts(0, 0, 2, 0), await store.CountAsync(Ct));
    }

    [Fact]
    public async Task RetryAsync_QueuesWhileAttemptsLeft_ThenStoresFailureAndFinishes()
    {
        SqliteBatchStore store = await MigratedAsync();
        await store.SubmitAsync(Job("job", T0), Items(1), Ct);
        var failure = new BatchItemResult(false, "{\"code\":3043,\"message\":\"internal\"}");
        BatchLease first = (await store.LeaseAsync("node-a", T0, Lease, Ct))!;

        Assert.Equal(BatchLeaseEnd.Requeued, await store.RetryAsync(first, failure, 2, T0.AddSeconds(1), Ct));
        Assert.Equal(BatchLeaseEnd.Lost, await store.RetryAsync(first, failure, 2, T0.AddSeconds(1), Ct));
        BatchJobState queued = await FindAsync(store, "job");
        Assert.Equal([new BatchItemState(0, BatchItemStatus.Queued, "ref-0", null, 1)], queued.Items);
        Assert.Null(queued.Finished);

        BatchLease second = (await store.LeaseAsync("node-b", T0.AddSeconds(2), Lease, Ct))!;
        Assert.Equal(2, second.Attempt);
        Assert.Equal(BatchLeaseEnd.JobFinished, await store.RetryAsync(second, failure, 2, T0.AddSeconds(3), Ct));

        BatchJobState done = await FindAsync(store, "job");
        Assert.Equal([new BatchItemState(0, BatchItemStatus.Done, "ref-0", failure, 2)], done.Items);
        Assert.Equal(T0.AddSeconds(3), done.Finished);
        Assert.Null(await store.LeaseAsync("node-a", T0.AddHours(1), Lease, Ct));
    }

    [Fact]
    public async Task SubmitAsync_AllItemsRefused_FinishedAtSubmission()
    {
        SqliteBatchStore store = await MigratedAsync();
        var refused = new BatchItemResult(false, "{\"code\":5006,\"message\":\"prompt: required\"}");

        await store.SubmitAsync(Job("job", T0), [new BatchItem(0, "{}", "r0", refused), new BatchItem(1, "{}", null, refused)], Ct);

        BatchJobState state = await FindAsync(store, "job");
        Assert.Equal(T0, state.Finished);
        Assert.Equal(
            [new BatchItemState(0, BatchItemStatus.Done, "r0", refused, 0), new BatchItemState(1, BatchItemStatus.Done, null, refused, 0)],
            state.Items);
        Assert.Null(await store.LeaseAsync("node-a", T0, Lease, Ct));
        Assert.Equal(new BatchCounts(0, 0, 2, 0), await store.CountAsync(Ct));
    }

    [Fact]
    public async Task DeleteFinishedAsync_DeletesJobsFinishedBeforeCutoff_WithTheirItems()
    {
        SqliteBatchStore store = await MigratedAsync();
        var refused = new BatchItemResult(false, "{}");
        await store.SubmitAsync(Job("old", T0), [new BatchItem(0, "{}", null, refused), new BatchItem(1, "{}", null, refused)], Ct);
        await store.SubmitAsync(Job("at-cutoff", T0.AddHours(1)), [new BatchItem(0, "{}", null, refused)], Ct);
        await store.SubmitAsync(Job("open", T0), Items(1), Ct);

        int deleted = await store.DeleteFinishedAsync(T0.AddHours(1), Ct);

        Assert.Equal(1, deleted);
        Assert.Null(await store.FindAsync("old", Ct));
        Assert.NotNull(await store.FindAsync("at-cutoff", Ct));
        Assert.NotNull(await store.FindAsync("open", Ct));
        Assert.Equal(2L, await QueryAsync("SELECT COUNT(*) FROM batch_items;"));
        Assert.Equal(0, await store.DeleteFinishedAsync(T0.AddHours(1), Ct));
    }

    [Fact]
    public async Task CountAsync_CountsItemsByStatusAndOpenJobs()
    {
        SqliteBatchStore store = await MigratedAsync();
        await store.SubmitAsync(Job("a", T0), Items(3), Ct);
        await store.SubmitAsync(Job("b", T0.AddSeconds(1)), [new BatchItem(0, "{}", null, new BatchItemResult(false, "{}"))], Ct);
        await store.SubmitAsync(Job("c", T0.AddSeconds(2)), Items(2), Ct);
        BatchLease lease = (await store.LeaseAsync("node-a", T0, Lease, Ct))!;
        await store.LeaseAsync("node-a", T0, Lease, Ct);
        await store.CompleteAsync(lease, new BatchItemResult(true, "{}"), T0, Ct);

        BatchCounts counts = await store.CountAsync(Ct);

        Assert.Equal(new BatchCounts(Queued: 3, Running: 1, Done: 2, OpenJobs: 2), counts);
    }

    [Fact]
    public async Task LeaseAsync_TwoStoresOnOneFile_LeaseEveryItemExactlyOnce()
    {
        SqliteBatchStore first = await MigratedAsync();
        var second = new SqliteBatchStore(_file);
        await second.MigrateAsync(Ct);
        await first.SubmitAsync(Job("job-a", T0), Items(100), Ct);
        await second.SubmitAsync(Job("job-b", T0.AddSeconds(1)), Items(100), Ct);
        var leased = new ConcurrentBag<(string Node, string RequestId, int Index)>();

        async Task WorkAsync(SqliteBatchStore store, string node)
        {
            while (await store.LeaseAsync(node, T0, TimeSpan.FromHours(1), Ct) is { } lease)
            {
                leased.Add((node, lease.RequestId, lease.Index));
                Assert.NotEqual(BatchLeaseEnd.Lost, await store.CompleteAsync(lease, new BatchItemResult(true, lease.RequestId + "/" + lease.Index), T0, Ct));
            }
        }

        await Task.WhenAll(Task.Run(() => WorkAsync(first, "node-1"), Ct), Task.Run(() => WorkAsync(second, "node-2"), Ct));

        Assert.Equal(200, leased.Count);
        Assert.Equal(200, leased.Select(entry => (entry.RequestId, entry.Index)).Distinct().Count());
        foreach (string id in new[] { "job-a", "job-b" })
        {
            BatchJobState state = await FindAsync(first, id);
            Assert.Equal(T0, state.Finished);
            Assert.Equal(
                Enumerable.Range(0, 100).Select(i => new BatchItemState(i, BatchItemStatus.Done, "ref-" + i, new BatchItemResult(true, id + "/" + i), 1)),
                state.Items);
        }

        Assert.Equal(new BatchCounts(0, 0, 200, 0), await second.CountAsync(Ct));
    }

    [Fact]
    public async Task MigrateAsync_NotADatabase_ThrowsNamingTheFile()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
        byte[] noise = new byte[4096];
        new Random(42).NextBytes(noise);
        await File.WriteAllBytesAsync(_file, noise, Ct);
        var store = new SqliteBatchStore(_file);

        BatchStoreException exception = await Assert.ThrowsAsync<BatchStoreException>(() => store.MigrateAsync(Ct));

        Assert.Contains(_file, exception.Message, StringComparison.Ordinal);
        Assert.Contains("file is not a database", exception.Message, StringComparison.Ordinal);
        Assert.IsType<SqliteException>(exception.InnerException);
    }

    [Fact]
    public async Task MigrateAsync_NewerSchema_ThrowsNamingTheFileAndVersions()
    {
        await MigratedAsync();
        await QueryAsync("INSERT INTO schema_version (version) VALUES (2);");
        var store = new SqliteBatchStore(_file);

        BatchStoreException exception = await Assert.ThrowsAsync<BatchStoreException>(() => store.MigrateAsync(Ct));

        Assert.Equal($"The batch database '{_file}' has schema version 2, newer than this build's 1.", exception.Message);
    }

    [Fact]
    public async Task LeaseAsync_DatabaseLockedPastBusyTimeout_Throws()
    {
        await MigratedAsync();
        var store = new SqliteBatchStore(_file, TimeSpan.FromSeconds(1));
        using var holder = new SqliteConnection("Data Source=" + _file);
        await holder.OpenAsync(Ct);
        using SqliteTransaction transaction = holder.BeginTransaction(deferred: false);

        BatchStoreException exception = await Assert.ThrowsAsync<BatchStoreException>(() => store.LeaseAsync("node-a", T0, Lease, Ct));

        Assert.Contains(_file, exception.Message, StringComparison.Ordinal);
        Assert.Contains("database is locked", exception.Message, StringComparison.Ordinal);
    }
}
