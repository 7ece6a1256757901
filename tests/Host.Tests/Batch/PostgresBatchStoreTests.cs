using System.Collections.Concurrent;
using Ember.Host.Batch;
using Ember.Host.Tests.Infrastructure;
using Npgsql;

namespace Ember.Host.Tests.Batch;

/// <summary>The PostgreSQL batch store against a real server; every test has a database of its own, migrated.</summary>
[Collection(PostgresCollectionDefinition.Name)]
public sealed class PostgresBatchStoreTests(PostgresServerFixture server) : IAsyncLifetime, IDisposable
{
    private static readonly DateTimeOffset s_t0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan s_lease = TimeSpan.FromSeconds(30);

    private string _connectionString = string.Empty;
    private PostgresBatchStore _store = null!;

    public async Task InitializeAsync()
    {
        _connectionString = await server.CreateDatabaseAsync("batch");
        _store = new PostgresBatchStore(_connectionString);
        await _store.MigrateAsync(CancellationToken.None);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task MigrateAsync_Twice_IsNoOpAndKeepsData()
    {
        await SubmitAsync("job-a", s_t0, 2);

        await _store.MigrateAsync(CancellationToken.None);

        Assert.Equal([1], await SchemaVersionsAsync());
        BatchJobState? state = await _store.FindAsync("job-a", CancellationToken.None);
        Assert.NotNull(state);
        Assert.Equal(2, state.Items.Count);
    }

    [Fact]
    public async Task MigrateAsync_TwoNodesAtOnceOnEmptyDatabase_AppliesEachVersionOnce()
    {
        string fresh = await server.CreateDatabaseAsync("batch_fresh");
        await using var first = new PostgresBatchStore(fresh);
        await using var second = new PostgresBatchStore(fresh);

        await Task.WhenAll(first.MigrateAsync(CancellationToken.None), second.MigrateAsync(CancellationToken.None));

        Assert.Equal([1], await SchemaVersionsAsync(fresh));
        Assert.Equal(new BatchCounts(0, 0, 0, 0), await first.CountAsync(CancellationToken.None));
    }

    [Fact]
    public async Task MigrateAsync_NewerSchema_ThrowsBatchStoreException()
    {
        await ExecuteAsync("INSERT INTO ember_schema_version (version) VALUES (2)");
        await using var store = new PostgresBatchStore(_connectionString);

        BatchStoreException exception = await Assert.ThrowsAsync<BatchStoreException>(() => store.MigrateAsync(CancellationToken.None));

        Assert.Equal(
            "The batch store's PostgreSQL schema is version 2, newer than this build knows (version 1): run a newer Ember, or another database.",
            exception.Message);
    }

    [Fact]
    public async Task MigrateAsync_NoServer_ThrowsBatchStoreExceptionWithoutPassword()
    {
        int closedPort = ClosedPort();
        await using var store = new PostgresBatchStore(
            $"Host=127.0.0.1;Port={closedPort};Username=ember;Password=hunter2-secret;Database=ember;Timeout=5");

        BatchStoreException exception = await Assert.ThrowsAsync<BatchStoreException>(() => store.MigrateAsync(CancellationToken.None));

        Assert.StartsWith($"The batch store's PostgreSQL database (127.0.0.1:{closedPort}, database ember, user ember) cannot be used: ", exception.Message);
        Assert.DoesNotContain("hunter2", exception.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_InvalidConnectionString_ThrowsWithoutQuotingIt()
    {
        ArgumentException exception = Assert.Throws<ArgumentException>(() => new PostgresBatchStore("Host=x;Password=hunter2-secret;Bogus Key=1"));

        Assert.Equal("The batch store's PostgreSQL connection string is not valid. (Parameter 'connectionString')", exception.Message);
        Assert.Null(exception.InnerException);
    }

    [Fact]
    public async Task FindAsync_AfterSubmit_RoundTripsExactly()
    {
        var created = new DateTimeOffset(2026, 3, 1, 14, 0, 0, 123, TimeSpan.FromHours(2));
        var job = new BatchJob("job-round", "@cf/meta/llama-3.1-8b-instruct", "acct-1", "owner-digest", created);
        BatchItem[] items =
        [
            new(0, """{"prompt":"hello"}""", "ref-0"),
            new(1, """{"prompt":"ünïcode ✓"}""", null),
            new(2, """{"prompt":""}""", "ref-2", new BatchItemResult(false, """{"code":5006,"message":"bad"}""")),
        ];

        await _store.SubmitAsync(job, items, CancellationToken.None);
        BatchJobState? state = await _store.FindAsync("job-round", CancellationToken.None);

        Assert.NotNull(state);
        Assert.Equal(job, state.Job);
        Assert.Equal(created.UtcDateTime, state.Job.Created.UtcDateTime);
        Assert.Null(state.Finished);
        Assert.Equal(
            [
                new BatchItemState(0, BatchItemStatus.Queued, "ref-0", null, 0),
                new BatchItemState(1, BatchItemStatus.Queued, null, null, 0),
                new BatchItemState(2, BatchItemStatus.Done, "ref-2", new BatchItemResult(false, """{"code":5006,"message":"bad"}"""), 0),
            ],
            state.Items);
    }

    [Fact]
    public async Task FindAsync_UnknownId_ReturnsNull()
    {
        Assert.Null(await _store.FindAsync("no-such-job", CancellationToken.None));
    }

    [Fact]
    public async Task FindAsync_JobWithoutOwner_ReturnsNullOwner()
    {
        var job = new BatchJob("job-open", "m", "acct", null, s_t0);
        await _store.SubmitAsync(job, [new BatchItem(0, "{}", null)], CancellationToken.None);

        BatchJobState? state = await _store.FindAsync("job-open", CancellationToken.None);

        Assert.NotNull(state);
        Assert.Equal(job, state.Job);
    }

    [Fact]
    public async Task LeaseAsync_SeveralJobs_OldestJobThenRequestIdThenLowestIndex()
    {
        // Submitted out of order: the newest job first, items in reverse.
        await _store.SubmitAsync(new BatchJob("job-c", "model-c", "acct", null, s_t0.AddMinutes(1)), [new(1, "c1", null), new(0, "c0", null)], CancellationToken.None);
        await _store.SubmitAsync(new BatchJob("job-b", "model-b", "acct", null, s_t0), [new(0, "b0", null)], CancellationToken.None);
        await _store.SubmitAsync(new BatchJob("job-a", "model-a", "acct", null, s_t0), [new(1, "a1", null), new(0, "a0", null)], CancellationToken.None);

        var leased = new List<(string RequestId, int Index, string Model, string Body, int Attempt)>();
        while (await _store.LeaseAsync("node-1", s_t0, s_lease, CancellationToken.None) is { } lease)
        {
            leased.Add((lease.RequestId, lease.Index, lease.Model, lease.Body, lease.Attempt));
            Assert.Matches("^[0-9a-f]{32}$", lease.Token);
        }

        Assert.Equal(
            [
                ("job-a", 0, "model-a", "a0", 1),
                ("job-a", 1, "model-a", "a1", 1),
                ("job-b", 0, "model-b", "b0", 1),
                ("job-c", 0, "model-c", "c0", 1),
                ("job-c", 1, "model-c", "c1", 1),
            ],
            leased);
    }

    [Fact]
    public async Task LeaseAsync_NothingQueued_ReturnsNull()
    {
        Assert.Null(await _store.LeaseAsync("node-1", s_t0, s_lease, CancellationToken.None));
    }

    [Fact]
    public async Task LeaseAsync_ExpiredLease_IsLeasedAgainAndTheOldTokenLoses()
    {
        await SubmitAsync("job-a", s_t0, 1);
        BatchLease first = (await _store.LeaseAsync("node-1", s_t0, s_lease, CancellationToken.None))!;

        Assert.Null(await _store.LeaseAsync("node-2", s_t0 + s_lease - TimeSpan.FromMilliseconds(1), s_lease, CancellationToken.None));
        BatchLease? second = await _store.LeaseAsync("node-2", s_t0 + s_lease, s_lease, CancellationToken.None);

        Assert.NotNull(second);
        Assert.Equal(("job-a", 0, 2), (second.RequestId, second.Index, second.Attempt));
        Assert.NotEqual(first.Token, second.Token);
        Assert.Equal(BatchLeaseEnd.Lost, await _store.CompleteAsync(first, new BatchItemResult(true, "late"), s_t0.AddMinutes(1), CancellationToken.None));
        Assert.Equal(BatchLeaseEnd.JobFinished, await _store.CompleteAsync(second, new BatchItemResult(true, "on time"), s_t0.AddMinutes(1), CancellationToken.None));
        BatchJobState state = (await _store.FindAsync("job-a", CancellationToken.None))!;
        Assert.Equal([new BatchItemState(0, BatchItemStatus.Done, "ref-0", new BatchItemResult(true, "on time"), 2)], state.Items);
    }

    [Fact]
    public async Task RenewAsync_HeldLeasesExtended_LostOnesNot()
    {
        await SubmitAsync("job-a", s_t0, 3);
        BatchLease first = (await _store.LeaseAsync("node-1", s_t0, s_lease, CancellationToken.None))!;
        BatchLease second = (await _store.LeaseAsync("node-1", s_t0, s_lease, CancellationToken.None))!;
        BatchLease third = (await _store.LeaseAsync("node-1", s_t0, s_lease, CancellationToken.None))!;
        await _store.CompleteAsync(third, new BatchItemResult(true, "ok"), s_t0, CancellationToken.None);

        IReadOnlySet<string> held = await _store.RenewAsync([first, second, third, second with { Token = "forged" }], s_t0 + s_lease + s_lease, CancellationToken.None);

        Assert.Equal(new HashSet<string> { first.Token, second.Token }, held);
        Assert.Null(await _store.LeaseAsync("node-2", s_t0 + s_lease + s_lease - TimeSpan.FromMilliseconds(1), s_lease, CancellationToken.None));
        Assert.NotNull(await _store.LeaseAsync("node-2", s_t0 + s_lease + s_lease, s_lease, CancellationToken.None));
        Assert.Empty(await _store.RenewAsync([first], s_t0 + s_lease * 10, CancellationToken.None));
    }

    [Fact]
    public async Task LeaseAsync_Leased_ShowsRunningWithAttemptOne()
    {
        await SubmitAsync("job-a", s_t0, 1);

        await _store.LeaseAsync("node-1", s_t0, s_lease, CancellationToken.None);

        BatchJobState state = (await _store.FindAsync("job-a", CancellationToken.None))!;
        Assert.Equal([new BatchItemState(0, BatchItemStatus.Running, "ref-0", null, 1)], state.Items);
    }

    [Fact]
    public async Task CompleteAsync_LastItem_FinishesJobAtNow()
    {
        await SubmitAsync("job-a", s_t0, 2);
        BatchLease first = (await _store.LeaseAsync("node-1", s_t0, s_lease, CancellationToken.None))!;
        BatchLease second = (await _store.LeaseAsync("node-1", s_t0, s_lease, CancellationToken.None))!;

        Assert.Equal(BatchLeaseEnd.Done, await _store.CompleteAsync(second, new BatchItemResult(true, """{"response":"two"}"""), s_t0.AddSeconds(5), CancellationToken.None));
        Assert.Null((await _store.FindAsync("job-a", CancellationToken.None))!.Finished);
        Assert.Equal(BatchLeaseEnd.JobFinished, await _store.CompleteAsync(first, new BatchItemResult(false, """{"code":3040}"""), s_t0.AddSeconds(7), CancellationToken.None));

        BatchJobState state = (await _store.FindAsync("job-a", CancellationToken.None))!;
        Assert.Equal(s_t0.AddSeconds(7), state.Finished);
        Assert.Equal(
            [
                new BatchItemState(0, BatchItemStatus.Done, "ref-0", new BatchItemResult(false, """{"code":3040}"""), 1),
                new BatchItemState(1, BatchItemStatus.Done, "ref-1", new BatchItemResult(true, """{"response":"two"}"""), 1),
            ],
            state.Items);
    }

    [Fact]
    public async Task CompleteAsync_Twice_SecondReturnsFalseAndKeepsFirstResult()
    {
        await SubmitAsync("job-a", s_t0, 1);
        BatchLease lease = (await _store.LeaseAsync("node-1", s_t0, s_lease, CancellationToken.None))!;

        Assert.Equal(BatchLeaseEnd.JobFinished, await _store.CompleteAsync(lease, new BatchItemResult(true, "first"), s_t0.AddSeconds(1), CancellationToken.None));
        Assert.Equal(BatchLeaseEnd.Lost, await _store.CompleteAsync(lease, new BatchItemResult(true, "second"), s_t0.AddSeconds(2), CancellationToken.None));

        BatchJobState state = (await _store.FindAsync("job-a", CancellationToken.None))!;
        Assert.Equal(new BatchItemResult(true, "first"), state.Items[0].Result);
        Assert.Equal(s_t0.AddSeconds(1), state.Finished);
    }

    [Fact]
    public async Task CompleteAsync_ForgedToken_ReturnsFalse()
    {
        await SubmitAsync("job-a", s_t0, 1);
        BatchLease lease = (await _store.LeaseAsync("node-1", s_t0, s_lease, CancellationToken.None))!;

        Assert.Equal(BatchLeaseEnd.Lost, await _store.CompleteAsync(lease with { Token = "forged" }, new BatchItemResult(true, "x"), s_t0, CancellationToken.None));
        Assert.Equal(BatchLeaseEnd.Lost, await _store.RetryAsync(lease with { Token = "forged" }, new BatchItemResult(false, "x"), 3, s_t0, CancellationToken.None));
        Assert.Equal(BatchLeaseEnd.Lost, await _store.CompleteAsync(lease with { RequestId = "no-such-job" }, new BatchItemResult(true, "x"), s_t0, CancellationToken.None));

        BatchJobState state = (await _store.FindAsync("job-a", CancellationToken.None))!;
        Assert.Equal([new BatchItemState(0, BatchItemStatus.Running, "ref-0", null, 1)], state.Items);
    }

    [Fact]
    public async Task RetryAsync_AttemptsLeft_RequeuesThenLastAttemptStoresFailureAndFinishesJob()
    {
        await SubmitAsync("job-a", s_t0, 1);
        var failure = new BatchItemResult(false, """{"code":3043,"message":"internal"}""");

        BatchLease first = (await _store.LeaseAsync("node-1", s_t0, s_lease, CancellationToken.None))!;
        Assert.Equal(BatchLeaseEnd.Requeued, await _store.RetryAsync(first, failure, 2, s_t0.AddSeconds(1), CancellationToken.None));
        BatchJobState requeued = (await _store.FindAsync("job-a", CancellationToken.None))!;
        Assert.Equal([new BatchItemState(0, BatchItemStatus.Queued, "ref-0", null, 1)], requeued.Items);
        Assert.Null(requeued.Finished);
        Assert.Equal(BatchLeaseEnd.Lost, await _store.RetryAsync(first, failure, 2, s_t0.AddSeconds(1), CancellationToken.None));

        BatchLease second = (await _store.LeaseAsync("node-2", s_t0.AddSeconds(2), s_lease, CancellationToken.None))!;
        Assert.Equal(2, second.Attempt);
        Assert.Equal(BatchLeaseEnd.JobFinished, await _store.RetryAsync(second, failure, 2, s_t0.AddSeconds(3), CancellationToken.None));

        BatchJobState done = (await _store.FindAsync("job-a", CancellationToken.None))!;
        Assert.Equal([new BatchItemState(0, BatchItemStatus.Done, "ref-0", failure, 2)], done.Items);
        Assert.Equal(s_t0.AddSeconds(3), done.Finished);
        Assert.Null(await _store.LeaseAsync("node-1", s_t0.AddHours(1), s_lease, CancellationToken.None));
        Assert.Equal(BatchLeaseEnd.Lost, await _store.CompleteAsync(second, new BatchItemResult(true, "late"), s_t0.AddSeconds(4), CancellationToken.None));
    }

    [Fact]
    public async Task RetryAsync_MaxAttemptsOne_FailsAtOnceButJobWaitsForOtherItems()
    {
        await SubmitAsync("job-a", s_t0, 2);
        var failure = new BatchItemResult(false, "boom");
        BatchLease lease = (await _store.LeaseAsync("node-1", s_t0, s_lease, CancellationToken.None))!;

        Assert.Equal(BatchLeaseEnd.Done, await _store.RetryAsync(lease, failure, 1, s_t0.AddSeconds(1), CancellationToken.None));

        BatchJobState state = (await _store.FindAsync("job-a", CancellationToken.None))!;
        Assert.Equal(
            [
                new BatchItemState(0, BatchItemStatus.Done, "ref-0", failure, 1),
                new BatchItemState(1, BatchItemStatus.Queued, "ref-1", null, 0),
            ],
            state.Items);
        Assert.Null(state.Finished);
    }

    [Fact]
    public async Task SubmitAsync_SomeRefused_RefusedAreDoneAndNeverLeased()
    {
        var refused = new BatchItemResult(false, """{"code":5021,"message":"too long"}""");
        await _store.SubmitAsync(
            new BatchJob("job-a", "m", "acct", null, s_t0),
            [new(0, "b0", null, refused), new(1, "b1", null), new(2, "b2", null, refused)],
            CancellationToken.None);

        BatchLease lease = (await _store.LeaseAsync("node-1", s_t0, s_lease, CancellationToken.None))!;
        Assert.Equal(1, lease.Index);
        Assert.Null(await _store.LeaseAsync("node-1", s_t0, s_lease, CancellationToken.None));
        Assert.Null((await _store.FindAsync("job-a", CancellationToken.None))!.Finished);

        Assert.Equal(BatchLeaseEnd.JobFinished, await _store.CompleteAsync(lease, new BatchItemResult(true, "ok"), s_t0.AddSeconds(9), CancellationToken.None));
        Assert.Equal(s_t0.AddSeconds(9), (await _store.FindAsync("job-a", CancellationToken.None))!.Finished);
    }

    [Fact]
    public async Task SubmitAsync_AllRefused_JobFinishedAtCreation()
    {
        var refused = new BatchItemResult(false, "refused");
        await _store.SubmitAsync(
            new BatchJob("job-a", "m", "acct", null, s_t0),
            [new(0, "b0", "r0", refused), new(1, "b1", "r1", refused)],
            CancellationToken.None);

        BatchJobState state = (await _store.FindAsync("job-a", CancellationToken.None))!;
        Assert.Equal(s_t0, state.Finished);
        Assert.Equal(
            [
                new BatchItemState(0, BatchItemStatus.Done, "r0", refused, 0),
                new BatchItemState(1, BatchItemStatus.Done, "r1", refused, 0),
            ],
            state.Items);
        Assert.Null(await _store.LeaseAsync("node-1", s_t0, s_lease, CancellationToken.None));
        Assert.Equal(new BatchCounts(0, 0, 2, 0), await _store.CountAsync(CancellationToken.None));
    }

    [Fact]
    public async Task SubmitAsync_ExistingRequestId_StoresNothingNew()
    {
        await SubmitAsync("job-a", s_t0, 1);

        await Assert.ThrowsAnyAsync<NpgsqlException>(() => SubmitAsync("job-a", s_t0, 3));

        Assert.Single((await _store.FindAsync("job-a", CancellationToken.None))!.Items);
    }

    [Fact]
    public async Task DeleteFinishedAsync_FinishedBefore_DeletesThoseJobsAndTheirItems()
    {
        await FinishAsync("job-early", s_t0, s_t0.AddMinutes(1));
        await FinishAsync("job-cutoff", s_t0.AddSeconds(1), s_t0.AddMinutes(2));
        await SubmitAsync("job-open", s_t0, 2);

        int deleted = await _store.DeleteFinishedAsync(s_t0.AddMinutes(2), CancellationToken.None);

        Assert.Equal(1, deleted);
        Assert.Null(await _store.FindAsync("job-early", CancellationToken.None));
        Assert.NotNull(await _store.FindAsync("job-cutoff", CancellationToken.None));
        Assert.NotNull(await _store.FindAsync("job-open", CancellationToken.None));
        Assert.Equal(new BatchCounts(2, 0, 1, 1), await _store.CountAsync(CancellationToken.None));
        Assert.Equal(0, await _store.DeleteFinishedAsync(s_t0.AddMinutes(2), CancellationToken.None));
    }

    [Fact]
    public async Task CountAsync_MixedItems_CountsByStatusAndOpenJobs()
    {
        await SubmitAsync("job-a", s_t0, 3);
        await SubmitAsync("job-b", s_t0.AddSeconds(1), 2);
        await _store.SubmitAsync(new BatchJob("job-c", "m", "acct", null, s_t0), [new(0, "x", null, new BatchItemResult(false, "r"))], CancellationToken.None);
        BatchLease done = (await _store.LeaseAsync("node-1", s_t0, s_lease, CancellationToken.None))!;
        await _store.CompleteAsync(done, new BatchItemResult(true, "ok"), s_t0, CancellationToken.None);
        await _store.LeaseAsync("node-1", s_t0, s_lease, CancellationToken.None);

        Assert.Equal(new BatchCounts(3, 1, 2, 2), await _store.CountAsync(CancellationToken.None));
    }

    [Fact]
    public async Task LeaseAsync_TwoNodesConcurrently_EachOf200ItemsLeasedOnceAndEveryResultStored()
    {
        const int Jobs = 4;
        const int ItemsPerJob = 50;
        for (int job = 0; job < Jobs; job++)
        {
            await SubmitAsync($"job-{job}", s_t0.AddSeconds(job), ItemsPerJob);
        }

        await using var nodeA = new PostgresBatchStore(_connectionString);
        await using var nodeB = new PostgresBatchStore(_connectionString);
        var leases = new ConcurrentBag<BatchLease>();
        var nodes = new (string Name, PostgresBatchStore Store)[] { ("node-a", nodeA), ("node-b", nodeB), ("node-a", nodeA), ("node-b", nodeB) };

        await Task.WhenAll(nodes.Select(node => Task.Run(async () =>
        {
            while (await node.Store.LeaseAsync(node.Name, s_t0, TimeSpan.FromHours(1), CancellationToken.None) is { } lease)
            {
                leases.Add(lease);
                Assert.NotEqual(BatchLeaseEnd.Lost, await node.Store.CompleteAsync(lease, new BatchItemResult(true, $"{lease.RequestId}/{lease.Index}"), s_t0.AddMinutes(1), CancellationToken.None));
            }
        })));

        Assert.Equal(Jobs * ItemsPerJob, leases.Count);
        Assert.Equal(Jobs * ItemsPerJob, leases.Select(lease => (lease.RequestId, lease.Index)).Distinct().Count());
        Assert.All(leases, lease => Assert.Equal(1, lease.Attempt));
        for (int job = 0; job < Jobs; job++)
        {
            BatchJobState state = (await _store.FindAsync($"job-{job}", CancellationToken.None))!;
            Assert.Equal(s_t0.AddMinutes(1), state.Finished);
            Assert.Equal(
                Enumerable.Range(0, ItemsPerJob).Select(i => new BatchItemState(i, BatchItemStatus.Done, $"ref-{i}", new BatchItemResult(true, $"job-{job}/{i}"), 1)),
                state.Items);
        }

        Assert.Equal(new BatchCounts(0, 0, Jobs * ItemsPerJob, 0), await _store.CountAsync(CancellationToken.None));
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Task SubmitAsync(string requestId, DateTimeOffset created, int items) => _store.SubmitAsync(
        new BatchJob(requestId, "model", "acct", "owner", created),
        [.. Enumerable.Range(0, items).Select(i => new BatchItem(i, $"{{\"prompt\":\"{requestId}/{i}\"}}", $"ref-{i}"))],
        CancellationToken.None);

    private async Task FinishAsync(string requestId, DateTimeOffset created, DateTimeOffset finished)
    {
        await SubmitAsync(requestId, created, 1);
        BatchLease lease = (await _store.LeaseAsync("node-1", created, s_lease, CancellationToken.None))!;
        Assert.Equal(requestId, lease.RequestId);
        Assert.Equal(BatchLeaseEnd.JobFinished, await _store.CompleteAsync(lease, new BatchItemResult(true, "ok"), finished, CancellationToken.None));
    }

    private Task<List<int>> SchemaVersionsAsync() => SchemaVersionsAsync(_connectionString);

    private static async Task<List<int>> SchemaVersionsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT version FROM ember_schema_version ORDER BY version", connection);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        var versions = new List<int>();
        while (await reader.ReadAsync())
        {
            versions.Add(reader.GetInt32(0));
        }

        return versions;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
