using System.Net;
using System.Text.Json;
using Ember.Host.Tests.Infrastructure;
using Ember.Models.Catalog;

namespace Ember.Host.Tests.Endpoints;

/// <summary>
/// <see cref="Ember.Host.Endpoints.OpenAiGenerationEndpoint"/> (chat and text completions) on the main host: response,
/// chunk and error shapes, and the OpenAI error shape of the routes around it.
/// </summary>
[Collection(EmberHostCollectionDefinition.Name)]
public sealed class OpenAiGenerationEndpointTests(EmberHostFixture host)
{
    private static readonly string Chat = ApiAssert.OpenAiPath("chat/completions");
    private static readonly string Completions = ApiAssert.OpenAiPath("completions");
    private static readonly string[] FinishReasons = ["stop", "length"];

    [Fact]
    public async Task ChatCompletions_Whole_HasChatCompletionShape()
    {
        using HttpClient client = host.CreateClient();
        const string body = """{"model":"@ember/tiny-llama","messages":[{"role":"developer","content":"Be brief"},{"role":"user","content":[{"type":"text","text":"Hi "},{"type":"text","text":"there"}]}],"max_tokens":6,"temperature":0,"seed":3,"n":1}""";

        using HttpResponseMessage response = await client.PostAsync(Chat, ApiAssert.Json(body));

        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using JsonDocument document = JsonDocument.Parse(text);
        JsonElement root = document.RootElement;
        Assert.Equal(["id", "object", "created", "model", "choices", "usage"], root.EnumerateObject().Select(property => property.Name));
        Assert.StartsWith("chatcmpl-", root.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("chat.completion", root.GetProperty("object").GetString());
        Assert.InRange(root.GetProperty("created").GetInt64(), DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Assert.Equal(ModelCatalog.TinyLlamaId, root.GetProperty("model").GetString());
        JsonElement choice = Assert.Single(root.GetProperty("choices").EnumerateArray().ToArray());
        Assert.Equal(["index", "message", "finish_reason", "logprobs"], choice.EnumerateObject().Select(property => property.Name));
        Assert.Equal(0, choice.GetProperty("index").GetInt32());
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal(JsonValueKind.String, choice.GetProperty("message").GetProperty("content").ValueKind);
        Assert.Contains(choice.GetProperty("finish_reason").GetString(), FinishReasons);
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("logprobs").ValueKind);
        ApiAssert.Usage(root.GetProperty("usage"), 6);
    }

    [Fact]
    public async Task ChatCompletions_Stream_HasChunkShapeRoleFirstFinishLastUsageThenDone()
    {
        using HttpClient client = host.CreateClient();
        const string body = """{"model":"@ember/tiny-llama","messages":[{"role":"user","content":"Hi"}],"max_tokens":6,"temperature":0,"stream":true,"stream_options":{"include_usage":true}}""";

        using HttpResponseMessage response = await client.PostAsync(Chat, ApiAssert.Json(body));

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.ToString());
        IReadOnlyList<string> events = ApiAssert.SseEvents(await response.Content.ReadAsStringAsync());
        Assert.Equal("[DONE]", events[^1]);
        JsonElement[] chunks = events.Take(events.Count - 1).Select(item => JsonDocument.Parse(item).RootElement).ToArray();
        Assert.All(chunks, chunk => Assert.Equal("chat.completion.chunk", chunk.GetProperty("object").GetString()));
        Assert.Single(chunks.Select(chunk => chunk.GetProperty("id").GetString()).Distinct());
        Assert.Equal("assistant", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        JsonElement finishing = chunks[^2].GetProperty("choices")[0];
        Assert.Contains(finishing.GetProperty("finish_reason").GetString(), FinishReasons);
        Assert.Equal("{}", finishing.GetProperty("delta").GetRawText());
        Assert.Equal(0, chunks[^1].GetProperty("choices").GetArrayLength());
        ApiAssert.Usage(chunks[^1].GetProperty("usage"), 6);
        Assert.All(chunks[1..^2], chunk => Assert.Equal(JsonValueKind.Null, chunk.GetProperty("choices")[0].GetProperty("finish_reason").ValueKind));
    }

    [Fact]
    public async Task ChatCompletions_StreamAndWhole_SameText()
    {
        using HttpClient client = host.CreateClient();
        const string whole = """{"model":"@ember/tiny-llama","messages":[{"role":"user","content":"Tell me a story"}],"max_tokens":12,"temperature":0}""";
        const string streamed = """{"model":"@ember/tiny-llama","messages":[{"role":"user","content":"Tell me a story"}],"max_tokens":12,"temperature":0,"stream":true}""";

        using HttpResponseMessage wholeResponse = await client.PostAsync(Chat, ApiAssert.Json(whole));
        using HttpResponseMessage streamResponse = await client.PostAsync(Chat, ApiAssert.Json(streamed));

        using JsonDocument document = JsonDocument.Parse(await wholeResponse.Content.ReadAsStringAsync());
        string expected = document.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
        IReadOnlyList<string> events = ApiAssert.SseEvents(await streamResponse.Content.ReadAsStringAsync());
        string joined = string.Concat(events.Take(events.Count - 1)
            .Select(item => JsonDocument.Parse(item).RootElement.GetProperty("choices")[0].GetProperty("delta"))
            .Select(delta => delta.TryGetProperty("content", out JsonElement content) ? content.GetString() : string.Empty));
        Assert.Equal(expected, joined);
        Assert.DoesNotContain(events, item => item.Contains("\"usage\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Completions_Whole_HasTextCompletionShape()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Completions, ApiAssert.Json("""{"model":"@ember/tiny-llama","prompt":"Once upon a time","max_tokens":5,"temperature":0}"""));

        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using JsonDocument document = JsonDocument.Parse(text);
        JsonElement root = document.RootElement;
        Assert.Equal(["id", "object", "created", "model", "choices", "usage"], root.EnumerateObject().Select(property => property.Name));
        Assert.StartsWith("cmpl-", root.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("text_completion", root.GetProperty("object").GetString());
        JsonElement choice = Assert.Single(root.GetProperty("choices").EnumerateArray().ToArray());
        Assert.Equal(["logprobs", "text", "index", "finish_reason"], choice.EnumerateObject().Select(property => property.Name));
        ApiAssert.Usage(root.GetProperty("usage"), 5);
    }

    [Fact]
    public async Task Completions_Stream_HasTextCompletionChunks()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Completions, ApiAssert.Json("""{"model":"@ember/tiny-llama","prompt":["Once upon a time"],"max_tokens":5,"stream":true}"""));

        IReadOnlyList<string> events = ApiAssert.SseEvents(await response.Content.ReadAsStringAsync());
        Assert.Equal("[DONE]", events[^1]);
        JsonElement[] chunks = events.Take(events.Count - 1).Select(item => JsonDocument.Parse(item).RootElement).ToArray();
        Assert.All(chunks, chunk => Assert.Equal("text_completion", chunk.GetProperty("object").GetString()));
        Assert.Contains(chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString(), FinishReasons);
    }

    [Theory]
    [InlineData("""{"messages":[{"role":"user","content":"Hi"}]}""", "model: is required")]
    [InlineData("""{"model":42,"messages":[{"role":"user","content":"Hi"}]}""", "model: must be a string")]
    [InlineData("""{"model":"@ember/tiny-llama"}""", "messages: is required")]
    [InlineData("""{"model":"@ember/tiny-llama","messages":[]}""", "messages: must be a non-empty array of {role, content} objects")]
    [InlineData("""{"model":"@ember/tiny-llama","messages":[{"role":"function","content":"x"}]}""", "messages[0].role: must be one of \"system\", \"developer\", \"user\", \"assistant\", \"tool\"")]
    [InlineData("""{"model":"@ember/tiny-llama","messages":[{"role":"user","content":[{"type":"image_url","image_url":"x"}]}]}""", "messages[0].content[0].type: must be \"text\" (only text parts are supported)")]
    [InlineData("""{"model":"@ember/tiny-llama","messages":[{"role":"user","content":"Hi"}],"n":2}""", "n: must be an integer from 1 to 1")]
    [InlineData("""{"model":"@ember/tiny-llama","messages":[{"role":"user","content":"Hi"}],"stop":["a","b","c","d","e"]}""", "stop: must be a string or an array of at most 4 strings")]
    [InlineData("""{"model":"@ember/tiny-llama","messages":[{"role":"user","content":"Hi"}],"stop":[""]}""", "stop[0]: must be a string of 1 to 131072 characters")]
    [InlineData("""{"model":"@ember/tiny-llama","messages":[{"role":"user","content":"Hi"}],"max_tokens":0}""", "max_tokens: must be an integer from 1 to 1024")]
    [InlineData("""{"model":"@ember/tiny-llama","messages":[{"role":"user","content":"Hi"}],"max_completion_tokens":5000}""", "max_completion_tokens: must be an integer from 1 to 1024")]
    [InlineData("""{"model":"@ember/tiny-llama","messages":[{"role":"user","content":"Hi"}],"presence_penalty":-3}""", "presence_penalty: must be a number from -2 to 2")]
    [InlineData("""{"model":"@ember/tiny-llama","messages":[{"role":"user","content":"Hi"}],"stream_options":{"include_usage":"y"}}""", "stream_options.include_usage: must be a boolean")]
    [InlineData("{", "body: is not valid JSON: ")]
    public async Task ChatCompletions_InvalidBody_Returns400InOpenAiShape(string body, string message)
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Chat, ApiAssert.Json(body));

        JsonElement error = await ApiAssert.OpenAiErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", 5006, message);
        Assert.StartsWith(message, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(["message", "type", "param", "code"], error.EnumerateObject().Select(property => property.Name));
    }

    [Theory]
    [InlineData("""{"model":"@ember/tiny-llama"}""", "prompt: is required")]
    [InlineData("""{"model":"@ember/tiny-llama","prompt":["a","b"]}""", "prompt: must be a string or an array of exactly one string")]
    [InlineData("""{"model":"@ember/tiny-llama","prompt":""}""", "prompt: must be a string of 1 to 131072 characters")]
    public async Task Completions_InvalidBody_Returns400InOpenAiShape(string body, string message)
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Completions, ApiAssert.Json(body));

        await ApiAssert.OpenAiErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", 5006, message);
    }

    [Fact]
    public async Task ChatCompletions_UnknownModel_Returns400Code5007InOpenAiShape()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Chat, ApiAssert.Json("""{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}"""));

        JsonElement error = await ApiAssert.OpenAiErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", 5007, "No such model gpt-4o or task");
        Assert.Equal("model", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task ChatCompletions_NotInstalled_Returns400Code5007()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Chat, ApiAssert.Json("""{"model":"@cf/meta/llama-2-7b-chat-int8","messages":[{"role":"user","content":"Hi"}]}"""));

        await ApiAssert.OpenAiErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", 5007, "not installed");
    }

    [Fact]
    public async Task OpenAi_UnknownRoute_Returns404InOpenAiShape()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.GetAsync(ApiAssert.OpenAiPath("embeddings"));

        await ApiAssert.OpenAiErrorAsync(response, HttpStatusCode.NotFound, "not_found_error", 7003);
    }

    [Fact]
    public async Task OpenAi_WrongMethod_Returns405InOpenAiShape()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.GetAsync(Chat);

        await ApiAssert.OpenAiErrorAsync(response, HttpStatusCode.MethodNotAllowed, "invalid_request_error", 7001);
    }

    [Fact]
    public async Task OpenAi_BodyOverLimit_Returns413InOpenAiShape()
    {
        using HttpClient client = host.CreateClient();
        string body = "{\"model\":\"@ember/tiny-llama\",\"prompt\":\"" + new string('a', 4 * 1024 * 1024) + "\"}";

        using HttpResponseMessage response = await client.PostAsync(Completions, ApiAssert.Json(body));

        await ApiAssert.OpenAiErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "invalid_request_error", 3006);
    }
}
