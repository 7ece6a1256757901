using System.Diagnostics;
using System.Text.Json;
using Ember.Host.Batch;
using Ember.Host.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ember.Host.Tests.Batch;

/// <summary>
/// Two Ember nodes sharing one PostgreSQL queue: one is killed (SIGKILL) in the middle of a job, and the other finishes
/// it after the dead node's leases expire, every item once, with the answers a run without the kill gives.
/// </summary>
[Collection(PostgresCollectionDefinition.Name)]
public sealed class PostgresBatchNodesTests(PostgresServerFixture postgres) : IAsyncLifetime
{
    private const string Model = "@ember/tiny-llama";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ember-batch-nodes-" + Guid.NewGuid().ToString("N"));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task Restart_MidJob_EveryItemCompletesOnceWithTheAnswerOfARunWithoutTheRestart() =>
        await BatchEndpointTests.RestartMidJobAsync(_folder, await postgres.CreateDatabaseAsync("restart"));

    [Fact]
    public async Task KillOneOfTwoNodesMidJob_TheOtherFinishesItAfterTheLeaseWithNothingLostOrRepeated()
    {
        string database = await postgres.CreateDatabaseAsync("nodes");
        string[] prompts = ["one fish", "two fish", "red fish", "blue fish"];
        string Item(int i) => $$"""{"prompt":"{{prompts[i % prompts.Length]}}","max_tokens":200,"temperature":0,"external_reference":"item-{{i}}"}""";

        // Node A in a process of its own, so that it can be killed outright.
        string folderA = Path.Combine(_folder, "a");
        Directory.CreateDirectory(folderA);
        await File.WriteAllTextAsync(Path.Combine(folderA, "runtime.json"), BatchHost.ConfigJson(database));
        int port = LoopbackPorts.Free();
        using var nodeA = HostProcess.Start(Path.Combine(folderA, "runtime.json"), port);
        try
        {
            await RunAsync(nodeA, port, database, prompts, Item);
        }
        finally
        {
            // However the test ends, node A must not outlive it (a leftover host spins on its store and skews everything after).
            await HostProcess.KillAsync(nodeA);
        }
    }

    [Fact]
    public async Task ServerRestartedWhileTwoNodesWorkOneJob_BothReconnectAndEveryItemIsAnsweredExactlyOnce()
    {
        const int Items = 120;
        string database = await postgres.CreateDatabaseAsync("outage");
        string[] prompts = ["one fish", "two fish", "red fish", "blue fish"];
        string Item(int i) => $$"""{"prompt":"{{prompts[i % prompts.Length]}}","max_tokens":200,"temperature":0,"external_reference":"item-{{i}}"}""";

        // Leases far longer than the outage: an item changing node would be a lease lost to the outage, not a node's death.
        await using var nodeA = await BatchHost.StartAsync(Path.Combine(_folder, "a"), database, lease: "00:00:30");
        await using var nodeB = await BatchHost.StartAsync(Path.Combine(_folder, "b"), database, lease: "00:00:30");
        BatchProgress progressA = nodeA.Services.GetRequiredService<BatchProgress>();
        BatchProgress progressB = nodeB.Services.GetRequiredService<BatchProgress>();
        using HttpClient clientA = nodeA.CreateClient();
        using HttpClient clientB = nodeB.CreateClient();
        JsonElement queued = await ApiAssert.SuccessAsync(await clientA.PostAsync(ApiAssert.RunPath(Model) + "?queueRequest=true", ApiAssert.Json("{\"requests\":[" + string.Join(",", Enumerable.Range(0, Items).Select(Item)) + "]}")));
        string id = queued.GetProperty("request_id").GetString()!;
        Task finished = Task.WhenAny(progressA.WhenFinishedAsync(id, CancellationToken.None), progressB.WhenFinishedAsync(id, CancellationToken.None));

        // Restart the server once both nodes have finished items and hold others.
        await WaitForAsync(database, id, done: 4);
        await progressA.WhenItemsCompletedAsync(1, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        await progressB.WhenItemsCompletedAsync(1, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        (long a, long b) = (progressA.ItemsCompleted, progressB.ItemsCompleted);
        TimeSpan outage = await postgres.RestartAsync(TimeSpan.FromSeconds(1));

        // Both reconnect: each node's workers complete items again, and each node's API reads the job.
        await progressA.WhenItemsCompletedAsync(a + 1, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        await progressB.WhenItemsCompletedAsync(b + 1, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        await ApiAssert.SuccessAsync(await clientA.PostAsync(ApiAssert.RunPath(Model), ApiAssert.Json($$"""{"request_id":"{{id}}"}""")));
        await finished.WaitAsync(TimeSpan.FromSeconds(90));
        JsonElement done = await ApiAssert.SuccessAsync(await clientB.PostAsync(ApiAssert.RunPath(Model), ApiAssert.Json($$"""{"request_id":"{{id}}"}""")));

        // Every item answered, as a run without the restart answers.
        JsonElement[] responses = [.. done.GetProperty("responses").EnumerateArray()];
        Assert.Equal(Enumerable.Range(0, Items), responses.Select(item => item.GetProperty("id").GetInt32()));
        var expected = new Dictionary<string, string>();
        foreach (string prompt in prompts)
        {
            expected[prompt] = (await ApiAssert.SuccessAsync(await clientB.PostAsync(ApiAssert.RunPath(Model), ApiAssert.Json($$"""{"prompt":"{{prompt}}","max_tokens":200,"temperature":0}""")))).GetRawText();
        }

        Assert.All(Enumerable.Range(0, Items), i => Assert.Equal(expected[prompts[i % prompts.Length]], responses[i].GetProperty("result").GetRawText()));

        // Exactly once: one done row per item, each leased once, and the two nodes' completions add up to the items.
        await using var connection = new NpgsqlConnection(Unpooled(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*), count(*) FILTER (WHERE status = 2 AND success), count(*) FILTER (WHERE attempts = 1) FROM ember_batch_items WHERE request_id = @id", connection);
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal((Items, Items, Items), (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)));
        Assert.Equal(Items, progressA.ItemsCompleted + progressB.ItemsCompleted);
        Assert.True(outage < TimeSpan.FromSeconds(30), $"the outage lasted {outage}");
    }

    /// <summary>The test's own connections bypass the nodes' pool (the same connection string would share it).</summary>
    private static string Unpooled(string database) => new NpgsqlConnectionStringBuilder(database) { Pooling = false }.ConnectionString;

    private async Task RunAsync(Process nodeA, int port, string database, string[] prompts, Func<int, string> item)
    {
        using HttpClient clientA = HostProcess.Client(port);
        await HostProcess.WaitReadyAsync(clientA, nodeA);
        JsonElement queued = await ApiAssert.SuccessAsync(await clientA.PostAsync(ApiAssert.RunPath(Model) + "?queueRequest=true", ApiAssert.Json("{\"requests\":[" + string.Join(",", Enumerable.Range(0, 80).Select(item)) + "]}")));
        string id = queued.GetProperty("request_id").GetString()!;

        // Kill A once it has finished some items and holds others.
        await WaitForAsync(database, id, done: 2);
        await HostProcess.KillAsync(nodeA);

        await using var nodeB = await BatchHost.StartAsync(Path.Combine(_folder, "b"), database);
        await nodeB.Services.GetRequiredService<BatchProgress>().WhenFinishedAsync(id, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(90));
        using HttpClient clientB = nodeB.CreateClient();

        JsonElement done = await ApiAssert.SuccessAsync(await clientB.PostAsync(ApiAssert.RunPath(Model), ApiAssert.Json($$"""{"request_id":"{{id}}"}""")));

        JsonElement[] responses = [.. done.GetProperty("responses").EnumerateArray()];
        Assert.Equal(Enumerable.Range(0, 80), responses.Select(item => item.GetProperty("id").GetInt32()));
        Assert.All(responses, item => Assert.True(item.GetProperty("success").GetBoolean()));
        var expected = new Dictionary<string, string>();
        foreach (string prompt in prompts)
        {
            expected[prompt] = (await ApiAssert.SuccessAsync(await clientB.PostAsync(ApiAssert.RunPath(Model), ApiAssert.Json($$"""{"prompt":"{{prompt}}","max_tokens":200,"temperature":0}""")))).GetRawText();
        }

        Assert.All(Enumerable.Range(0, 80), i => Assert.Equal(expected[prompts[i % prompts.Length]], responses[i].GetProperty("result").GetRawText()));
        long taken = nodeB.Services.GetRequiredService<BatchProgress>().ItemsCompleted;
        Assert.InRange(taken, 1, 78);
    }

    /// <summary>Waits until the shared database shows <paramref name="done"/> items done and one running (bounded).</summary>
    private static async Task WaitForAsync(string database, string requestId, int done)
    {
        await using var connection = new NpgsqlConnection(Unpooled(database));
        await connection.OpenAsync();
        var deadline = Stopwatch.StartNew();
        var (lastDone, lastRunning) = (0L, 0L);
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            await using var command = new NpgsqlCommand("SELECT count(*) FILTER (WHERE status = 2), count(*) FILTER (WHERE status = 1) FROM ember_batch_items WHERE request_id = @id", connection);
            command.Parameters.AddWithValue("id", requestId);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            (lastDone, lastRunning) = (reader.GetInt64(0), reader.GetInt64(1));
            if (lastDone >= done && lastRunning >= 1)
            {
                return;
            }

            await Task.Delay(20);
        }

        Assert.Fail($"node A did not get far enough within 60 s: {lastDone} done, {lastRunning} running");
    }
}
