using System.Diagnostics;
using System.Net;
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
/// Killed mid-stream, the host's stream ends at the client without <c>[DONE]</c> (bounded, no hang), and the restarted
/// host streams the same greedy answer.
/// </summary>
public sealed class SqliteKillTests : IDisposable
{
    private const string Model = "@ember/tiny-llama";
    private const int Items = 40;
    private const string StreamRequest = """{"prompt":"Once upon a time","max_tokens":1024,"temperature":0,"stream":true}""";
    private static readonly string[] Prompts = ["one fish", "two fish", "red fish", "blue fish"];
    private static readonly TimeSpan StreamLimit = TimeSpan.FromSeconds(10);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ember-batch-kill-" + Guid.NewGuid().ToString("N"));

    private string Database => Path.Combine(_folder, "batch", "batch.db");

    [Fact]
    public async Task KillMidJob_RestartOnTheSameDatabase_NothingLostNothingDoneTwice()
    {
        (Process node, HttpClient client, string id) = await StartMidJobAsync();
        using (node)
        using (client)
        {
            await HostProcess.KillAsync(node);
        }

        await using BatchHost restarted = await RestartAndFinishAsync(id);
    }

    [Fact]
    public async Task KillMidStream_RestartOnTheSameFolder_StreamCutWithoutDoneThenTheSameAnswerAndTheBatchComplete()
    {
        (Process node, HttpClient client, string id) = await StartMidJobAsync();
        List<string> cut;
        using (node)
        using (client)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, ApiAssert.RunPath(Model)) { Content = ApiAssert.Json(StreamRequest) };
                using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
                cut = await ReadEventsAsync(reader, stopAfter: 3);
                Assert.Equal(3, cut.Count);

                await HostProcess.KillAsync(node);

                // The rest of the stream: it ends (EOF, or the connection reset mid-chunk) within the limit, never with [DONE].
                try
                {
                    cut.AddRange(await ReadEventsAsync(reader, stopAfter: int.MaxValue));
                }
                catch (IOException)
                {
                }
            }
            finally
            {
                await HostProcess.KillAsync(node);
            }
        }

        Assert.DoesNotContain("[DONE]", cut);
        string before = string.Concat(cut.Select(Piece));

        await using BatchHost restarted = await RestartAndFinishAsync(id);
        using HttpClient again = restarted.CreateClient();
        using var retry = new HttpRequestMessage(HttpMethod.Post, ApiAssert.RunPath(Model)) { Content = ApiAssert.Json(StreamRequest) };
        using HttpResponseMessage whole = await again.SendAsync(retry, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        using var wholeReader = new StreamReader(await whole.Content.ReadAsStreamAsync());
        List<string> events = await ReadEventsAsync(wholeReader, stopAfter: int.MaxValue);

        // The same greedy answer: what the killed host sent is where the restarted host's answer starts, and that answer
        // goes on past the cut to [DONE].
        Assert.Equal("[DONE]", events[^1]);
        string after = string.Concat(events.SkipLast(1).Select(Piece));
        Assert.StartsWith(before, after, StringComparison.Ordinal);
        Assert.True(after.Length > before.Length, $"the answer ends where the kill cut it ({before.Length} characters)");
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>
    /// Starts the host in a process of its own, submits an <see cref="Items"/>-item job, and waits until the host has
    /// finished some items and holds others. The caller kills the process however the test ends.
    /// </summary>
    private async Task<(Process Node, HttpClient Client, string Id)> StartMidJobAsync()
    {
        string Item(int i) => $$"""{"prompt":"{{Prompts[i % Prompts.Length]}}","max_tokens":200,"temperature":0,"external_reference":"item-{{i}}"}""";
        Directory.CreateDirectory(_folder);
        string config = Path.Combine(_folder, "runtime.json");
        await File.WriteAllTextAsync(config, BatchHost.ConfigJson());
        int port = LoopbackPorts.Free();
        Process node = HostProcess.Start(config, port);
        HttpClient client = HostProcess.Client(port);
        try
        {
            await HostProcess.WaitReadyAsync(client, node);
            JsonElement queued = await ApiAssert.SuccessAsync(await client.PostAsync(
                ApiAssert.RunPath(Model) + "?queueRequest=true",
                ApiAssert.Json("{\"requests\":[" + string.Join(",", Enumerable.Range(0, Items).Select(Item)) + "]}")));
            string id = queued.GetProperty("request_id").GetString()!;
            await WaitForAsync(Database, id, () => (Done: Results(Database, id).Count, Running: Running(Database, id)), done: 2);
            return (node, client, id);
        }
        catch
        {
            await HostProcess.KillAsync(node);
            node.Dispose();
            client.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Starts a host on the killed one's folder and checks that it finishes the job: every item answered as a run without
    /// the kill answers, the results stored before the kill untouched and on their first attempt, the new host completing
    /// exactly the other items.
    /// </summary>
    private async Task<BatchHost> RestartAndFinishAsync(string id)
    {
        Dictionary<int, string> doneBeforeTheKill = Results(Database, id);
        Assert.InRange(doneBeforeTheKill.Count, 2, Items - 1);

        BatchHost restarted = await BatchHost.StartAsync(_folder);
        try
        {
            BatchProgress progress = restarted.Services.GetRequiredService<BatchProgress>();
            await progress.WhenFinishedAsync(id, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(120));
            using HttpClient poll = restarted.CreateClient();
            JsonElement done = await ApiAssert.SuccessAsync(await poll.PostAsync(ApiAssert.RunPath(Model), ApiAssert.Json($$"""{"request_id":"{{id}}"}""")));

            // Nothing lost: every item answered, with what a run without the kill answers.
            JsonElement[] responses = [.. done.GetProperty("responses").EnumerateArray()];
            Assert.Equal(Enumerable.Range(0, Items), responses.Select(item => item.GetProperty("id").GetInt32()));
            var expected = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string prompt in Prompts)
            {
                expected[prompt] = (await ApiAssert.SuccessAsync(await poll.PostAsync(ApiAssert.RunPath(Model), ApiAssert.Json($$"""{"prompt":"{{prompt}}","max_tokens":200,"temperature":0}""")))).GetRawText();
            }

            Assert.All(Enumerable.Range(0, Items), i => Assert.Equal(expected[Prompts[i % Prompts.Length]], responses[i].GetProperty("result").GetRawText()));

            // Nothing done twice: the results stored before the kill are untouched, on their first attempt, and the new
            // host completed exactly the other items.
            Dictionary<int, string> after = Results(Database, id);
            Assert.All(doneBeforeTheKill, item => Assert.Equal(item.Value, after[item.Key]));
            Assert.All(doneBeforeTheKill.Keys, index => Assert.Equal(1, Attempts(Database, id, index)));
            Assert.Equal(Items - doneBeforeTheKill.Count, progress.ItemsCompleted);
            return restarted;
        }
        catch
        {
            await restarted.DisposeAsync();
            throw;
        }
    }

    /// <summary>Reads SSE <c>data:</c> payloads until <paramref name="stopAfter"/> of them, <c>[DONE]</c> or the end; each line bounded by <see cref="StreamLimit"/>.</summary>
    private static async Task<List<string>> ReadEventsAsync(StreamReader reader, int stopAfter)
    {
        var events = new List<string>();
        while (events.Count < stopAfter && await reader.ReadLineAsync().WaitAsync(StreamLimit) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                events.Add(line["data: ".Length..]);
                if (events[^1] == "[DONE]")
                {
                    break;
                }
            }
        }

        return events;
    }

    /// <summary>The text of one streamed event (<c>response</c>; none in an error event).</summary>
    private static string Piece(string data)
    {
        using JsonDocument document = JsonDocument.Parse(data);
        return document.RootElement.TryGetProperty("response", out JsonElement response) ? response.GetString() ?? string.Empty : string.Empty;
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
