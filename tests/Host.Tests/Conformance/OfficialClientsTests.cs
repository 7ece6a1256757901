using System.Globalization;
using System.Text.Json;
using Ember.Host.Tests.Infrastructure;
using Ember.Models.Catalog;

namespace Ember.Host.Tests.Conformance;

/// <summary>
/// The official <c>cloudflare</c> and <c>openai</c> npm clients against the main host: <c>client.ai.run</c> with a prompt,
/// with messages and streamed, and <c>chat.completions.create</c> whole and streamed. Under greedy decoding every
/// answer must equal what a direct HTTP call with the same input returns.
/// </summary>
[Collection(EmberHostCollectionDefinition.Name)]
public sealed partial class OfficialClientsTests(EmberHostFixture host, OfficialClients clients) : IClassFixture<OfficialClients>
{
    private const string Model = ModelCatalog.TinyLlamaId;
    private const string MissingModel = "@cf/ember/no-such-model";
    private const string Prompt = "Tell me a story";
    private const string SystemMessage = "You are a friendly assistant";
    private const string UserMessage = "Why is pizza so good";
    private const int MaxTokens = 8;

    private static readonly Dictionary<string, string> Inputs = new()
    {
        ["EMBER_MODEL"] = Model,
        ["EMBER_MISSING_MODEL"] = MissingModel,
        ["EMBER_PROMPT"] = Prompt,
        ["EMBER_SYSTEM"] = SystemMessage,
        ["EMBER_USER"] = UserMessage,
        ["EMBER_MAX_TOKENS"] = MaxTokens.ToString(CultureInfo.InvariantCulture),
    };

    private static readonly string PromptBody = JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["prompt"] = Prompt,
        ["max_tokens"] = MaxTokens,
        ["temperature"] = 0,
    });

    private static readonly string MessagesBody = JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["messages"] = new[] { new { role = "system", content = SystemMessage }, new { role = "user", content = UserMessage } },
        ["max_tokens"] = MaxTokens,
        ["temperature"] = 0,
    });

    [Fact]
    public async Task Clients_Versions_AreThePinnedOnes()
    {
        JsonElement versions = (await RunAsync()).GetProperty("versions");

        Assert.Equal(clients.PinnedVersions["cloudflare"], versions.GetProperty("cloudflare").GetString());
        Assert.Equal(clients.PinnedVersions["openai"], versions.GetProperty("openai").GetString());
        Assert.Equal(clients.PinnedVersions["ai"], versions.GetProperty("ai").GetString());
        Assert.Equal(clients.PinnedVersions["zod"], versions.GetProperty("zod").GetString());
        Assert.True(int.Parse(versions.GetProperty("node").GetString()!.Split('.')[0], CultureInfo.InvariantCulture) >= 20);
    }

    [Fact]
    public async Task AiRun_Prompt_ReturnsDirectCallResult()
    {
        JsonElement expected = await DirectRunAsync(PromptBody);

        JsonElement actual = (await RunAsync()).GetProperty("cloudflare").GetProperty("prompt");

        AssertRunResult(expected, actual);
    }

    [Fact]
    public async Task AiRun_Messages_ReturnsDirectCallResult()
    {
        JsonElement expected = await DirectRunAsync(MessagesBody);

        JsonElement actual = (await RunAsync()).GetProperty("cloudflare").GetProperty("messages");

        AssertRunResult(expected, actual);
    }

    [Fact]
    public async Task AiRun_Stream_YieldsDirectCallTextThenUsageThenDone()
    {
        JsonElement expected = await DirectRunAsync(PromptBody);

        JsonElement stream = (await RunAsync()).GetProperty("cloudflare").GetProperty("stream");

        Assert.Equal(200, stream.GetProperty("status").GetInt32());
        Assert.Equal("text/event-stream", stream.GetProperty("content_type").GetString());
        Assert.Equal(expected.GetProperty("response").GetString(), stream.GetProperty("text").GetString());
        int pieces = stream.GetProperty("piece_count").GetInt32();
        Assert.InRange(pieces, 1, expected.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(pieces + 2, stream.GetProperty("event_count").GetInt32());
        JsonElement final = stream.GetProperty("final");
        Assert.Equal(["response", "usage"], final.EnumerateObject().Select(property => property.Name));
        Assert.Equal(string.Empty, final.GetProperty("response").GetString());
        AssertJsonEqual(expected.GetProperty("usage"), final.GetProperty("usage"));
        Assert.Equal("[DONE]", stream.GetProperty("last").GetString());
        Assert.Equal(0, stream.GetProperty("events_after_done").GetInt32());
    }

    [Fact]
    public async Task ChatCompletionsCreate_Whole_ReturnsChatCompletionWithWorkersAiText()
    {
        JsonElement expected = await DirectRunAsync(MessagesBody);
        Assert.Equal(MaxTokens, expected.GetProperty("usage").GetProperty("completion_tokens").GetInt32());

        JsonElement completion = (await RunAsync()).GetProperty("openai").GetProperty("completion");

        Assert.Equal(["id", "object", "created", "model", "choices", "usage"], completion.EnumerateObject().Select(property => property.Name));
        Assert.StartsWith("chatcmpl-", completion.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("chat.completion", completion.GetProperty("object").GetString());
        Assert.Equal(Model, completion.GetProperty("model").GetString());
        JsonElement choice = Assert.Single(completion.GetProperty("choices").EnumerateArray().ToArray());
        Assert.Equal(["index", "message", "finish_reason", "logprobs"], choice.EnumerateObject().Select(property => property.Name));
        Assert.Equal(0, choice.GetProperty("index").GetInt32());
        Assert.Equal(["role", "content"], choice.GetProperty("message").EnumerateObject().Select(property => property.Name));
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal(expected.GetProperty("response").GetString(), choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("length", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("logprobs").ValueKind);
        AssertJsonEqual(expected.GetProperty("usage"), completion.GetProperty("usage"));
    }

    [Fact]
    public async Task ChatCompletionsCreate_JsonSchema_AnswersAValueOfTheSchema()
    {
        JsonElement structured = (await RunAsync()).GetProperty("openai").GetProperty("structured");

        JsonElement choice = Assert.Single(structured.GetProperty("choices").EnumerateArray().ToArray());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        using JsonDocument value = JsonDocument.Parse(choice.GetProperty("message").GetProperty("content").GetString()!);
        Assert.Equal(["ok", "level", "count"], value.RootElement.EnumerateObject().Select(property => property.Name));
        Assert.True(value.RootElement.GetProperty("ok").ValueKind is JsonValueKind.True or JsonValueKind.False);
        Assert.True(value.RootElement.GetProperty("level").GetString() is "low" or "high");
        Assert.Equal(JsonValueKind.Number, value.RootElement.GetProperty("count").ValueKind);
        Assert.True(value.RootElement.GetProperty("count").TryGetInt64(out _));
    }

    [Fact]
    public async Task AiRun_Stop_EndsTheAnswerBeforeTheStopString()
    {
        JsonElement run = (await RunAsync()).GetProperty("cloudflare");
        string full = run.GetProperty("prompt").GetProperty("response").GetString()!;
        string stop = run.GetProperty("stop").GetProperty("stop").GetString()!;

        string cut = run.GetProperty("stop").GetProperty("result").GetProperty("response").GetString()!;

        Assert.Equal(full[..full.IndexOf(stop, StringComparison.Ordinal)], cut);
    }

    [Fact]
    public async Task ChatCompletionsCreate_Stream_ChunksConcatenateToWorkersAiText()
    {
        JsonElement expected = await DirectRunAsync(MessagesBody);
        Assert.Equal(MaxTokens, expected.GetProperty("usage").GetProperty("completion_tokens").GetInt32());

        JsonElement stream = (await RunAsync()).GetProperty("openai").GetProperty("stream");

        Assert.Equal(["chat.completion.chunk"], Strings(stream.GetProperty("objects")));
        string id = Assert.Single(Strings(stream.GetProperty("ids")));
        Assert.StartsWith("chatcmpl-", id, StringComparison.Ordinal);
        Assert.Equal([Model], Strings(stream.GetProperty("models")));
        Assert.Equal("assistant", stream.GetProperty("first_role").GetString());
        Assert.Equal(expected.GetProperty("response").GetString(), stream.GetProperty("text").GetString());
        Assert.Equal(["length"], Strings(stream.GetProperty("finish_reasons")));
        AssertJsonEqual(expected.GetProperty("usage"), stream.GetProperty("usage"));
        Assert.True(stream.GetProperty("usage_is_last").GetBoolean());
        Assert.True(stream.GetProperty("chunk_count").GetInt32() >= 4, stream.GetRawText());
    }

    [Fact]
    public async Task Clients_UnknownModel_ThrowBadRequestWithWorkersAiCode()
    {
        JsonElement result = await RunAsync();

        JsonElement cloudflare = result.GetProperty("cloudflare").GetProperty("error");
        Assert.Equal("BadRequestError", cloudflare.GetProperty("name").GetString());
        Assert.Equal(400, cloudflare.GetProperty("status").GetInt32());
        JsonElement error = Assert.Single(cloudflare.GetProperty("errors").EnumerateArray().ToArray());
        Assert.Equal(5007, error.GetProperty("code").GetInt32());
        Assert.Equal($"No such model {MissingModel} or task", error.GetProperty("message").GetString());
        JsonElement openAi = result.GetProperty("openai").GetProperty("error");
        Assert.Equal("BadRequestError", openAi.GetProperty("name").GetString());
        Assert.Equal(400, openAi.GetProperty("status").GetInt32());
        Assert.Equal("invalid_request_error", openAi.GetProperty("type").GetString());
        Assert.Equal("5007", openAi.GetProperty("code").GetString());
        Assert.Equal("model", openAi.GetProperty("param").GetString());
        Assert.Equal($"400 No such model {MissingModel} or task", openAi.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Clients_Requests_UseDocumentedPathsAndBearerToken()
    {
        const string run = "/client/v4/accounts/" + OfficialClients.AccountId + "/ai/run/";
        const string chat = "/client/v4/accounts/" + OfficialClients.AccountId + "/ai/v1/chat/completions";
        (string Path, int Status, string ContentType)[] expected =
        [
            (run + "@ember%2Ftiny-llama", 200, "application/json; charset=utf-8"),
            (run + "@ember%2Ftiny-llama", 200, "application/json; charset=utf-8"),
            (run + "@ember%2Ftiny-llama", 200, "application/json; charset=utf-8"),
            (run + "@ember%2Ftiny-llama", 200, "text/event-stream"),
            (run + "@cf%2Fember%2Fno-such-model", 400, "application/json; charset=utf-8"),
            (chat, 200, "application/json; charset=utf-8"),
            (chat, 200, "application/json; charset=utf-8"),
            (chat, 200, "text/event-stream"),
            (chat, 400, "application/json; charset=utf-8"),
        ];

        JsonElement[] requests = (await RunAsync()).GetProperty("requests").EnumerateArray().ToArray();

        Assert.Equal(expected, requests.Select(request => (request.GetProperty("path").GetString()!, request.GetProperty("status").GetInt32(), request.GetProperty("content_type").GetString()!)));
        Assert.All(requests, request =>
        {
            Assert.Equal("POST", request.GetProperty("method").GetString());
            JsonElement headers = request.GetProperty("headers");
            Assert.Equal("Bearer " + HostFixture.Token, headers.GetProperty("authorization").GetString());
            Assert.Equal("application/json", headers.GetProperty("content-type").GetString());
        });
    }

    private Task<JsonElement> RunAsync() => clients.RunAsync(host.BaseAddress, HostFixture.Token, Inputs);

    private async Task<JsonElement> DirectRunAsync(string body)
    {
        using HttpClient client = host.CreateClient();
        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(Model), ApiAssert.Json(body));
        return await ApiAssert.SuccessAsync(response);
    }

    private static void AssertRunResult(JsonElement expected, JsonElement actual)
    {
        Assert.Equal(["response", "usage"], actual.EnumerateObject().Select(property => property.Name));
        Assert.Equal(JsonValueKind.String, actual.GetProperty("response").ValueKind);
        Assert.Equal(expected.GetProperty("response").GetString(), actual.GetProperty("response").GetString());
        ApiAssert.Usage(actual.GetProperty("usage"), MaxTokens);
        AssertJsonEqual(expected.GetProperty("usage"), actual.GetProperty("usage"));
    }

    private static void AssertJsonEqual(JsonElement expected, JsonElement actual) =>
        Assert.True(JsonElement.DeepEquals(expected, actual), $"Expected {expected.GetRawText()}, got {actual.GetRawText()}");

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(item => item.GetString()!).ToArray();
}
