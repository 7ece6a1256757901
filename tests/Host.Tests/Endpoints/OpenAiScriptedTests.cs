using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ember.Host.Tests.Infrastructure;
using Ember.Models.Chat;
using Ember.Runtime.Generation;

namespace Ember.Host.Tests.Endpoints;

/// <summary>The OpenAI-compatible endpoints on the scripted runtime: exact chunks, stop strings, failures.</summary>
[Collection(ScriptedHostCollectionDefinition.Name)]
public sealed partial class OpenAiScriptedTests(ScriptedHostFixture host)
{
    private static readonly string Chat = ApiAssert.OpenAiPath("chat/completions");
    private static readonly string Completions = ApiAssert.OpenAiPath("completions");

    [Fact]
    public async Task ChatCompletions_Stream_IsExactChunkSequence()
    {
        using HttpClient client = host.CreateClient();
        const string body = """{"model":"@ember/tiny-llama","messages":[{"role":"user","content":"Hi"}],"stream":true,"stream_options":{"include_usage":true}}""";

        using HttpResponseMessage response = await client.PostAsync(Chat, ApiAssert.Json(body));

        string text = await response.Content.ReadAsStringAsync();
        string id = IdPattern().Match(text).Groups[1].Value;
        string created = CreatedPattern().Match(text).Groups[1].Value;
        string head = $$$"""{"id":"{{{id}}}","object":"chat.completion.chunk","created":{{{created}}},"model":"@ember/tiny-llama","choices":""";
        string expected =
            $$$"""data: {{{head}}}[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null,"logprobs":null}]}""" + "\n\n" +
            $$$"""data: {{{head}}}[{"index":0,"delta":{"content":"Hello"},"finish_reason":null,"logprobs":null}]}""" + "\n\n" +
            $$$"""data: {{{head}}}[{"index":0,"delta":{"content":","},"finish_reason":null,"logprobs":null}]}""" + "\n\n" +
            $$$"""data: {{{head}}}[{"index":0,"delta":{"content":" world"},"finish_reason":null,"logprobs":null}]}""" + "\n\n" +
            $$$"""data: {{{head}}}[{"index":0,"delta":{"content":"!"},"finish_reason":null,"logprobs":null}]}""" + "\n\n" +
            $$$"""data: {{{head}}}[{"index":0,"delta":{},"finish_reason":"stop","logprobs":null}]}""" + "\n\n" +
            $$$$"""data: {{{{head}}}}[],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7,"prompt_tokens_details":{"cached_tokens":0}}}""" + "\n\n" +
            "data: [DONE]\n\n";
        Assert.Matches("^chatcmpl-[0-9a-f]{32}$", id);
        Assert.Equal(expected, text);
    }

    [Fact]
    public async Task ChatCompletions_Whole_IsExactObject()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Chat, ApiAssert.Json("""{"model":"@ember/tiny-llama","messages":[{"role":"user","content":"Hi"}],"max_tokens":3}"""));

        string text = await response.Content.ReadAsStringAsync();
        string id = IdPattern().Match(text).Groups[1].Value;
        string created = CreatedPattern().Match(text).Groups[1].Value;
        Assert.Equal(
            $$$$"""{"id":"{{{{id}}}}","object":"chat.completion","created":{{{{created}}}},"model":"@ember/tiny-llama","choices":[{"index":0,"message":{"role":"assistant","content":"Hello, world"},"finish_reason":"length","logprobs":null}],"usage":{"prompt_tokens":3,"completion_tokens":3,"total_tokens":6,"prompt_tokens_details":{"cached_tokens":0}}}""",
            text);
    }

    [Theory]
    [InlineData("\"wor\"", "Hello, ", 3)]
    [InlineData("[\"xyz\",\", w\"]", "Hello", 3)]
    [InlineData("\"lo,\"", "Hel", 2)]
    [InlineData("\"Hello\"", "", 1)]
    [InlineData("\"nothing\"", "Hello, world!", 4)]
    public async Task ChatCompletions_Stop_CutsBeforeFirstStopString(string stop, string expected, int completionTokens)
    {
        using HttpClient client = host.CreateClient();
        string body = $$$"""{"model":"@ember/tiny-llama","messages":[{"role":"user","content":"Hi"}],"stop":{{{stop}}}}""";

        using HttpResponseMessage whole = await client.PostAsync(Chat, ApiAssert.Json(body));
        using HttpResponseMessage streamed = await client.PostAsync(Chat, ApiAssert.Json(body.Replace("}]", "}],\"stream\":true,\"stream_options\":{\"include_usage\":true}", StringComparison.Ordinal)));

        using JsonDocument document = JsonDocument.Parse(await whole.Content.ReadAsStringAsync());
        JsonElement choice = document.RootElement.GetProperty("choices")[0];
        Assert.Equal(expected, choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(completionTokens, document.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32());

        IReadOnlyList<string> events = ApiAssert.SseEvents(await streamed.Content.ReadAsStringAsync());
        JsonElement[] chunks = events.Take(events.Count - 1).Select(item => JsonDocument.Parse(item).RootElement).ToArray();
        string joined = string.Concat(chunks.Where(chunk => chunk.GetProperty("choices").GetArrayLength() > 0)
            .Select(chunk => chunk.GetProperty("choices")[0].GetProperty("delta"))
            .Select(delta => delta.TryGetProperty("content", out JsonElement content) ? content.GetString() : string.Empty));
        Assert.Equal(expected, joined);
        Assert.Equal("stop", chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(completionTokens, chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task ChatCompletions_Fields_ReachRuntime()
    {
        using HttpClient client = host.CreateClient();
        const string body = """
            {"model":"@ember/tiny-llama","messages":[{"role":"developer","content":"Be brief"},{"role":"user","content":[{"type":"text","text":"Hi "},{"type":"text","text":"there"}]},{"role":"assistant","content":null},{"role":"user","content":"Go"}],
             "max_completion_tokens":9,"temperature":1.5,"top_p":0.8,"seed":12,"frequency_penalty":-1,"user":"someone","logit_bias":{}}
            """;

        using HttpResponseMessage response = await client.PostAsync(Chat, ApiAssert.Json(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        TextGenerationRequest request = host.Generation.Last.Request;
        Assert.Equal(
            [new ChatMessage(ChatRole.System, "Be brief"), new ChatMessage(ChatRole.User, "Hi there"), new ChatMessage(ChatRole.Assistant, string.Empty), new ChatMessage(ChatRole.User, "Go")],
            request.Messages);
        Assert.Equal(9, request.MaxTokens);
        Assert.Equal(1.5, request.Temperature);
        Assert.Equal(0.8, request.TopP);
        Assert.Equal(12, request.Seed);
        Assert.False(request.Raw);
    }

    [Fact]
    public async Task Completions_SendsPromptRaw()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Completions, ApiAssert.Json("""{"model":"@ember/tiny-llama","prompt":"Once"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        TextGenerationRequest request = host.Generation.Last.Request;
        Assert.Equal("Once", request.Prompt);
        Assert.True(request.Raw);
        Assert.Null(request.MaxTokens);
    }

    [Fact]
    public async Task Completions_Stream_IsExactChunkSequence()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Completions, ApiAssert.Json("""{"model":"@ember/tiny-llama","prompt":"#pieces:a|b","stream":true}"""));

        string text = await response.Content.ReadAsStringAsync();
        string id = IdPattern().Match(text).Groups[1].Value;
        string created = CreatedPattern().Match(text).Groups[1].Value;
        string head = $$$"""{"id":"{{{id}}}","object":"text_completion","created":{{{created}}},"model":"@ember/tiny-llama","choices":""";
        Assert.Matches("^cmpl-[0-9a-f]{32}$", id);
        Assert.Equal(
            $$$"""data: {{{head}}}[{"logprobs":null,"text":"a","index":0,"finish_reason":null}]}""" + "\n\n" +
            $$$"""data: {{{head}}}[{"logprobs":null,"text":"b","index":0,"finish_reason":null}]}""" + "\n\n" +
            $$$"""data: {{{head}}}[{"logprobs":null,"text":"","index":0,"finish_reason":"stop"}]}""" + "\n\n" +
            "data: [DONE]\n\n",
            text);
    }

    [Theory]
    [InlineData("#busy", HttpStatusCode.TooManyRequests, "rate_limit_error", 3040)]
    [InlineData("#timeout", HttpStatusCode.RequestTimeout, "timeout_error", 3007)]
    [InlineData("#cancelled", HttpStatusCode.RequestTimeout, "timeout_error", 3008)]
    [InlineData("#crash", HttpStatusCode.InternalServerError, "server_error", 3043)]
    [InlineData("#badinput", HttpStatusCode.BadRequest, "invalid_request_error", 5006)]
    public async Task ChatCompletions_RuntimeFailure_ReturnsOpenAiError(string content, HttpStatusCode status, string type, int code)
    {
        using HttpClient client = host.CreateClient();
        string body = $$$"""{"model":"@ember/tiny-llama","messages":[{"role":"user","content":"{{{content}}}"}],"stream":true}""";

        using HttpResponseMessage response = await client.PostAsync(Chat, ApiAssert.Json(body));

        JsonElement error = await ApiAssert.OpenAiErrorAsync(response, status, type, code);
        Assert.DoesNotContain(ScriptedTextGeneration.SecretDetail, error.GetProperty("message").GetString()!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChatCompletions_StreamFailsAfterFirstByte_SendsOpenAiErrorEvent()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Chat, ApiAssert.Json("""{"model":"@ember/tiny-llama","messages":[{"role":"user","content":"#midstream"}],"stream":true}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        IReadOnlyList<string> events = ApiAssert.SseEvents(await response.Content.ReadAsStringAsync());
        Assert.Equal("""{"error":{"message":"Request timeout","type":"timeout_error","param":null,"code":"3007"}}""", events[^1]);
        Assert.DoesNotContain("[DONE]", events);
    }

    [GeneratedRegex("\"id\":\"([^\"]+)\"")]
    private static partial Regex IdPattern();

    [GeneratedRegex("\"created\":(\\d+)")]
    private static partial Regex CreatedPattern();
}
