using System.Net;
using System.Text;
using System.Text.Json;
using Ember.Host.Batch;
using Ember.Host.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Ember.Host.Tests.Batch;

/// <summary>
/// The batch API over HTTP on the real host and runtime, SQLite store: submit and poll, each item answered as the same
/// interactive request, bad items failing alone, jobs private to their account and token, and a restart mid-job that
/// loses and repeats nothing.
/// </summary>
public sealed class BatchEndpointTests : IAsyncLifetime
{
    private const string Model = "@ember/tiny-llama";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ember-batch-tests-" + Guid.NewGuid().ToString("N"));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task SubmitThenPoll_EachItemAnswersAsTheSameInteractiveRequestAndABadItemFailsAlone()
    {
        await using var host = await BatchHost.StartAsync(_folder);
        using HttpClient client = host.CreateClient();
        const string first = """{"prompt":"Tell me about the sea","max_tokens":6,"temperature":0,"external_reference":"sea"}""";
        const string second = """{"messages":[{"role":"user","content":"Hello!"}],"max_tokens":5,"temperature":0}""";
        const string bad = """{"prompt":"hi","max_tokens":0}""";

        JsonElement queued = await ApiAssert.SuccessAsync(await client.PostAsync(ApiAssert.RunPath(Model) + "?queueRequest=true", ApiAssert.Json($$"""{"requests":[{{first}},{{second}},{{bad}}]}""")));
        string id = queued.GetProperty("request_id").GetString()!;
        Assert.Equal(["status", "request_id", "model"], queued.EnumerateObject().Select(property => property.Name));
        Assert.Equal(("queued", Model), (queued.GetProperty("status").GetString(), queued.GetProperty("model").GetString()));
        Assert.True(Guid.TryParse(id, out _));
        await host.Services.GetRequiredService<BatchProgress>().WhenFinishedAsync(id, CancellationToken.None).WaitAsync(Limit);

        JsonElement done = await ApiAssert.SuccessAsync(await client.PostAsync(ApiAssert.RunPath(Model), ApiAssert.Json($$"""{"request_id":"{{id}}"}""")));

        JsonElement[] responses = [.. done.GetProperty("responses").EnumerateArray()];
        Assert.Equal([0, 1, 2], responses.Select(item => item.GetProperty("id").GetInt32()));
        Assert.Equal(["id", "result", "success", "external_reference"], responses[0].EnumerateObject().Select(property => property.Name));
        Assert.Equal("sea", responses[0].GetProperty("external_reference").GetString());
        Assert.Equal((await DirectAsync(client, first)).GetRawText(), responses[0].GetProperty("result").GetRawText());
        Assert.Equal((await DirectAsync(client, second)).GetRawText(), responses[1].GetProperty("result").GetRawText());
        Assert.False(responses[2].GetProperty("success").GetBoolean());
        Assert.Equal("""{"code":5006,"message":"max_tokens: must be an integer from 1 to 1024"}""", responses[2].GetProperty("result").GetRawText());
        int completion = responses.Take(2).Sum(item => item.GetProperty("result").GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(completion, done.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(11, completion);
    }

    [Fact]
    public async Task Poll_FromAnotherAccountTokenOrModel_OrAnUnknownId_AnswersAsForAnUnknownId()
    {
        await using var host = await BatchHost.StartAsync(_folder);
        using HttpClient client = host.CreateClient();
        using HttpClient other = host.CreateClient(BatchHost.OtherToken);
        JsonElement queued = await ApiAssert.SuccessAsync(await client.PostAsync(ApiAssert.RunPath(Model) + "?queueRequest=true", ApiAssert.Json("""{"requests":[{"prompt":"hi","max_tokens":2}]}""")));
        string id = queued.GetProperty("request_id").GetString()!;
        const string unknown = "request_id: no batch request with this id (it may have expired)";

        await ApiAssert.ErrorAsync(await client.PostAsync("client/v4/accounts/another/ai/run/" + Model, ApiAssert.Json($$"""{"request_id":"{{id}}"}""")), HttpStatusCode.BadRequest, 5006, unknown, exact: true);
        await ApiAssert.ErrorAsync(await other.PostAsync(ApiAssert.RunPath(Model), ApiAssert.Json($$"""{"request_id":"{{id}}"}""")), HttpStatusCode.BadRequest, 5006, unknown, exact: true);
        await ApiAssert.ErrorAsync(await client.PostAsync(ApiAssert.RunPath("@cf/meta/llama-2-7b-chat-int8"), ApiAssert.Json($$"""{"request_id":"{{id}}"}""")), HttpStatusCode.BadRequest, 5006, unknown, exact: true);
        await ApiAssert.ErrorAsync(await client.PostAsync(ApiAssert.RunPath(Model), ApiAssert.Json($$"""{"request_id":"{{Guid.NewGuid()}}"}""")), HttpStatusCode.BadRequest, 5006, unknown, exact: true);
        await ApiAssert.SuccessAsync(await client.PostAsync(ApiAssert.RunPath(Model) + "?queueRequest=true", ApiAssert.Json($$"""{"request_id":"{{id}}"}""")));
    }

    [Theory]
    [InlineData("""{"requests":[]}""")]
    [InlineData("""{"requests":5}""")]
    [InlineData("""{"prompt":"hi"}""")]
    public async Task Submit_MalformedBody_Returns400Code5006(string body)
    {
        await using var host = await BatchHost.StartAsync(_folder);
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(Model) + "?queueRequest=true", ApiAssert.Json(body));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, 5006, "requests: must be a non-empty array of at most 10000 requests", exact: true);
    }

    [Fact]
    public async Task Submit_OverTenMegabytes_Returns413AndTwoMegabytesAreTaken()
    {
        await using var host = await BatchHost.StartAsync(_folder);
        using HttpClient client = host.CreateClient();
        string Body(int bytes) => "{\"requests\":[{\"prompt\":\"" + new string('a', bytes) + "\",\"max_tokens\":1,\"raw\":true}]}";

        using HttpResponseMessage tooLarge = await client.PostAsync(ApiAssert.RunPath(Model) + "?queueRequest=true", new StringContent(Body(10_000_001), Encoding.UTF8, "application/json"));
        // Over the interactive 1 MiB but under 10 MB: taken, and the item fails alone on the text limit.
        using HttpResponseMessage taken = await client.PostAsync(ApiAssert.RunPath(Model) + "?queueRequest=true", new StringContent(Body(2_000_000), Encoding.UTF8, "application/json"));

        await ApiAssert.ErrorAsync(tooLarge, HttpStatusCode.RequestEntityTooLarge, 3006);
        Assert.Equal("queued", (await ApiAssert.SuccessAsync(taken)).GetProperty("status").GetString());
    }

    [Fact]
    public Task Restart_MidJob_EveryItemCompletesOnceWithTheAnswerOfARunWithoutTheRestart() => RestartMidJobAsync(_folder, postgres: null);

    /// <summary>
    /// A 200-item job, its host stopped after 10 items and another started on the same store: every item completes once,
    /// each with the answer a run without the restart gives.
    /// </summary>
    internal static async Task RestartMidJobAsync(string folder, string? postgres)
    {
        string[] prompts = ["one fish", "two fish", "red fish", "blue fish", "the sea is", "a river runs"];
        string Item(int i) => $$"""{"prompt":"{{prompts[i % prompts.Length]}}","max_tokens":6,"temperature":0,"external_reference":"item-{{i}}"}""";
        string id;
        await using (var first = await BatchHost.StartAsync(Path.Combine(folder, "first"), postgres))
        {
            using HttpClient client = first.CreateClient();
            JsonElement queued = await ApiAssert.SuccessAsync(await client.PostAsync(ApiAssert.RunPath(Model) + "?queueRequest=true", ApiAssert.Json("{\"requests\":[" + string.Join(',', Enumerable.Range(0, 200).Select(Item)) + "]}")));
            id = queued.GetProperty("request_id").GetString()!;
            await first.Services.GetRequiredService<BatchProgress>().WhenItemsCompletedAsync(10, CancellationToken.None).WaitAsync(Limit);
        }

        // SQLite's file moves with the folder; PostgreSQL is the same database either way.
        if (postgres is null)
        {
            SqliteConnection.ClearAllPools();
            Directory.CreateDirectory(Path.Combine(folder, "second"));
            Directory.Move(Path.Combine(folder, "first", "batch"), Path.Combine(folder, "second", "batch"));
        }

        await using var second = await BatchHost.StartAsync(Path.Combine(folder, "second"), postgres);
        await second.Services.GetRequiredService<BatchProgress>().WhenFinishedAsync(id, CancellationToken.None).WaitAsync(Limit);
        using HttpClient again = second.CreateClient();

        JsonElement done = await ApiAssert.SuccessAsync(await again.PostAsync(ApiAssert.RunPath(Model), ApiAssert.Json($$"""{"request_id":"{{id}}"}""")));

        JsonElement[] responses = [.. done.GetProperty("responses").EnumerateArray()];
        Assert.Equal(Enumerable.Range(0, 200), responses.Select(item => item.GetProperty("id").GetInt32()));
        Assert.All(responses, item => Assert.True(item.GetProperty("success").GetBoolean()));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"item-{i}"), responses.Select(item => item.GetProperty("external_reference").GetString()));
        var expected = new Dictionary<string, string>();
        foreach (string prompt in prompts)
        {
            expected[prompt] = (await DirectAsync(again, $$"""{"prompt":"{{prompt}}","max_tokens":6,"temperature":0}""")).GetRawText();
        }

        Assert.All(Enumerable.Range(0, 200), i => Assert.Equal(expected[prompts[i % prompts.Length]], responses[i].GetProperty("result").GetRawText()));
        Assert.InRange(second.Services.GetRequiredService<BatchProgress>().ItemsCompleted, 1, 190);
    }

    [Fact]
    public async Task Start_OnACorruptDatabase_IsRefusedNamingTheFile()
    {
        string file = Path.Combine(_folder, "batch", "batch.db");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllBytesAsync(file, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7))]);

        var error = await Assert.ThrowsAsync<BatchStoreException>(() => BatchHost.StartAsync(_folder));

        Assert.Contains(file, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FiftyJobsAtOnce_WhileInteractiveRequestsRun_AllFinishAndTheInteractiveAnswersAreUnchanged()
    {
        await using var host = await BatchHost.StartAsync(_folder);
        using HttpClient client = host.CreateClient();
        const string interactive = """{"prompt":"Tell me about the sea","max_tokens":8,"temperature":0}""";
        string alone = (await DirectAsync(client, interactive)).GetProperty("response").GetString()!;

        var submissions = Enumerable.Range(0, 50).Select(async job =>
        {
            JsonElement queued = await ApiAssert.SuccessAsync(await client.PostAsync(ApiAssert.RunPath(Model) + "?queueRequest=true", ApiAssert.Json($$"""{"requests":[{"prompt":"job {{job}}","max_tokens":4,"temperature":0},{"prompt":"job {{job}} again","max_tokens":4,"temperature":0}]}""")));
            return queued.GetProperty("request_id").GetString()!;
        }).ToArray();
        var interactiveRuns = Enumerable.Range(0, 8).Select(_ => DirectAsync(client, interactive)).ToArray();
        string[] ids = await Task.WhenAll(submissions);
        JsonElement[] answers = await Task.WhenAll(interactiveRuns);
        var progress = host.Services.GetRequiredService<BatchProgress>();
        await Task.WhenAll(ids.Select(id => progress.WhenFinishedAsync(id, CancellationToken.None))).WaitAsync(Limit);

        Assert.Equal(50, ids.Distinct().Count());
        Assert.All(answers, answer => Assert.Equal(alone, answer.GetProperty("response").GetString()));
        foreach (string id in ids)
        {
            JsonElement done = await ApiAssert.SuccessAsync(await client.PostAsync(ApiAssert.RunPath(Model), ApiAssert.Json($$"""{"request_id":"{{id}}"}""")));
            Assert.Equal([true, true], done.GetProperty("responses").EnumerateArray().Select(item => item.GetProperty("success").GetBoolean()));
        }
    }

    private static async Task<JsonElement> DirectAsync(HttpClient client, string body) =>
        await ApiAssert.SuccessAsync(await client.PostAsync(ApiAssert.RunPath(Model), ApiAssert.Json(body)));
}
