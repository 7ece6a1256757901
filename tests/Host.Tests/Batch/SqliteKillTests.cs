using System.Diagnostics;
using System.Text.Json;
using Ember.Host.Batch;
using Ember.Host.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Ember.Host.Tests.Batch;

/// <summary>
/// Chaos on SQLite: the host is killed (SIGKILL, no shutdown at all) in the middle of a batch job, and a host started
/// again on the same database finishes it: no item lost, none done twice (the results stored before the kill are
/// kept as they were, and the new host completes exactly the others), every answer the one a run without the kill gives.
/// </summary>
public sealed class SqliteKillTests : IDisposable
{
    private const string Model = "@ember/tiny-llama";
    private const int Items = 40;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ember-batch-kill-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task KillMidJob_RestartOnTheSameDatabase_NothingLostNothingDoneTwice()
    {
        string[] prompts = ["one fish", "two fish", "red fish", "blue fish"];
        string Item(int i) => $$"""{"prompt":"{{prompts[i % prompts.Length]}}","max_tokens":200,"temperature":0,"external_reference":"item-{{i}}"}""";
        Directory.CreateDirectory(_folder);
        string config = Path.Combine(_folder, "runtime.json");
        await File.WriteAllTextAsync(config, BatchHost.ConfigJson());
        string database = Path.Combine(_folder, "batch", "batch.db");
        int port = LoopbackPorts.Free();

        string id;
        Dictionary<int, string> doneBeforeTheKill;
        using (Process node = HostProcess.Start(config, port))
        {
            try
            {
                using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
                client.DefaultRequestHeaders.Authorization = new("Bearer", HostFixture.Token);
                await HostProcess.WaitReadyAsync(client, node);
                JsonElement queued = await ApiAssert.SuccessAsync(await client.PostAsync(
                    ApiAssert.RunPath(Model) + "?queueRequest=true",
                    ApiAssert.Json("{\"requests\":[" + string.Join(",", Enumerable.Range(0, Items).Select(Item)) + "]}")));
                id = queued.GetProperty("request_id").GetString()!;

                // Kill it once it has finished some items and holds others.
                await WaitForAsync(database, id, () => (Done: Results(database, id).Count, Running: Running(database, id)), done: 2);
            }
            finally
            {
                node.Kill(entireProcessTree: true);
                await node.WaitForExitAsync();
            }
        }

        doneBeforeTheKill = Results(database, id);
        Assert.InRange(doneBeforeTheKill.Count, 2, Items - 1);

        await using BatchHost restarted = await BatchHost.StartAsync(_folder);
        BatchProgress progress = restarted.Services.GetRequiredService<BatchProgress>();
        await progress.WhenFinishedAsync(id, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(120));
        using HttpClient poll = restarted.CreateClient();
        JsonElement done = await ApiAssert.SuccessAsync(await poll.PostAsync(ApiAssert.RunPath(Model), ApiAssert.Json($$"""{"request_id":"{{id}}"}""")));

        // Nothing lost: every item answered, with what a run without the kill answers.
        JsonElement[] responses = [.. done.GetProperty("responses").EnumerateArray()];
        Assert.Equal(Enumerable.Range(0, Items), responses.Select(item => item.GetProperty("id").GetInt32()));
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string prompt in prompts)
        {
            expected[prompt] = (await ApiAssert.SuccessAsync(await poll.PostAsync(ApiAssert.RunPath(Model), ApiAssert.Json($$"""{"prompt":"{{prompt}}","max_tokens":200,"temperature":0}""")))).GetRawText();
        }

        Assert.All(Enumerable.Range(0, Items), i => Assert.Equal(expected[prompts[i % prompts.Length]], responses[i].GetProperty("result").GetRawText()));

        // Nothing done twice: the results stored before the kill are untouched, on their first attempt, and the new
        // host completed exactly the other items.
        Dictionary<int, string> after = Results(database, id);
        Assert.All(doneBeforeTheKill, item => Assert.Equal(item.Value, after[item.Key]));
        Assert.All(doneBeforeTheKill.Keys, index => Assert.Equal(1, Attempts(database, id, index)));
        Assert.Equal(Items - doneBeforeTheKill.Count, progress.ItemsCompleted);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static async Task WaitForAsync(string database, string id, Func<(int Done, long Running)> read, int done)
    {
        var deadline = Stopwatch.StartNew();
        (int Done, long Running) last = (0, 0);
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (File.Exists(database))
            {
                last = read();
                if (last.Done >= done && last.Running >= 1)
                {
                    return;
                }
            }

            await Task.Delay(20);
        }

        Assert.Fail($"the host did not get far enough within 60 s: {last.Done} done, {last.Running} running ({database}, {id})");
    }

    private static Dictionary<int, string> Results(string database, string id) =>
        Query(database, "SELECT idx, result FROM batch_items WHERE request_id = $id AND status = 2", id, reader => (reader.GetInt32(0), reader.GetString(1)))
            .ToDictionary(row => row.Item1, row => row.Item2);

    private static long Running(string database, string id) =>
        Query(database, "SELECT count(*) FROM batch_items WHERE request_id = $id AND status = 1", id, reader => reader.GetInt64(0)).Single();

    private static int Attempts(string database, string id, int index) =>
        Query(database, $"SELECT attempts FROM batch_items WHERE request_id = $id AND idx = {index}", id, reader => reader.GetInt32(0)).Single();

    private static List<T> Query<T>(string database, string sql, string id, Func<SqliteDataReader, T> row)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$id", id);
        using SqliteDataReader reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(row(reader));
        }

        return rows;
    }
}
