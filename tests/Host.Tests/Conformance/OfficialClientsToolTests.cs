using System.Text.Json;
using System.Text.RegularExpressions;
using Ember.Host.Tests.Infrastructure;

namespace Ember.Host.Tests.Conformance;

/// <summary>
/// The official clients' tool and Responses flows, unmodified: <c>openai</c>'s chat tool round trip and streamed calls,
/// <c>responses.create</c> and <c>responses.stream</c>; the AI SDK's <c>generateText</c> and <c>streamText</c> with a tool
/// over several steps; <c>cloudflare</c>'s <c>ai.run</c> with tools. The tool's one argument is an enum and it is asked
/// for by name with parallel calls off, so that every call is <c>get_weather({"city":"Paris"})</c> under greedy decoding.
/// </summary>
public sealed partial class OfficialClientsTests
{
    private const string ParisArguments = """{"city":"Paris"}""";
    private const string ResponsesPath = "/client/v4/accounts/" + OfficialClients.AccountId + "/ai/v1/responses";
    private const string ChatPath = "/client/v4/accounts/" + OfficialClients.AccountId + "/ai/v1/chat/completions";

    [Fact]
    public async Task OpenAiChatTools_RoundTrip_CallThenToolMessageThenTheAnswer()
    {
        JsonElement tools = (await RunAsync()).GetProperty("openai_tools");
        JsonElement choice = tools.GetProperty("call").GetProperty("choices")[0];
        JsonElement call = Assert.Single(choice.GetProperty("message").GetProperty("tool_calls").EnumerateArray().ToArray());
        string id = call.GetProperty("id").GetString()!;

        Assert.Equal("tool_calls", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("message").GetProperty("content").ValueKind);
        Assert.Matches(CallIdPattern(), id);
        Assert.Equal(("function", "get_weather", ParisArguments), (call.GetProperty("type").GetString(), call.GetProperty("function").GetProperty("name").GetString(), call.GetProperty("function").GetProperty("arguments").GetString()));
        // The answer after the tool's message is the endpoint's own to the same conversation.
        string body = $$$$"""{"model":"{{{{Model}}}}","max_tokens":{{{{MaxTokens}}}},"temperature":0,"tool_choice":"none","tools":[{"type":"function","function":{"name":"get_weather","description":"The weather in a city.","parameters":{"type":"object","properties":{"city":{"type":"string","enum":["Paris","Rome"]}},"required":["city"],"additionalProperties":false}}}],"messages":[{"role":"user","content":"Weather in Paris?"},{"role":"assistant","content":null,"tool_calls":[{"id":"{{{{id}}}}","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},{"role":"tool","tool_call_id":"{{{{id}}}}","content":"22C"}]}""";
        JsonElement expected = await DirectAsync("chat/completions", body);
        Assert.Equal(expected.GetProperty("choices")[0].GetProperty("message").GetRawText(), tools.GetProperty("answer").GetProperty("choices")[0].GetProperty("message").GetRawText());
        Assert.Equal("length", tools.GetProperty("answer").GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task OpenAiChatTools_Streamed_DeltasJoinToTheCallAndFinishToolCalls()
    {
        JsonElement stream = (await RunAsync()).GetProperty("openai_tools").GetProperty("stream");
        JsonElement call = Assert.Single(stream.GetProperty("calls").EnumerateArray().ToArray());

        Assert.Matches(CallIdPattern(), call.GetProperty("id").GetString());
        Assert.Equal(("get_weather", ParisArguments), (call.GetProperty("name").GetString(), call.GetProperty("arguments").GetString()));
        Assert.True(call.GetProperty("pieces").GetInt32() > 2, "the arguments came in pieces");
        Assert.Equal(["tool_calls"], Strings(stream.GetProperty("finish_reasons")));
    }

    [Fact]
    public async Task ResponsesCreate_CallThenItsOutput_AnswersAsTheEndpoint()
    {
        JsonElement responses = (await RunAsync()).GetProperty("responses");
        JsonElement call = responses.GetProperty("call");
        JsonElement item = Assert.Single(call.GetProperty("output").EnumerateArray().ToArray());
        string callId = item.GetProperty("call_id").GetString()!;

        Assert.Equal(("response", "completed", string.Empty), (call.GetProperty("object").GetString(), call.GetProperty("status").GetString(), call.GetProperty("output_text").GetString()));
        Assert.Matches(CallIdPattern(), callId);
        Assert.Equal(
            $$"""{"type":"function_call","id":"fc_{{callId[5..]}}","status":"completed","call_id":"{{callId}}","name":"get_weather","arguments":"{\"city\":\"Paris\"}"}""",
            item.GetRawText());
        string body = $$"""{"model":"{{Model}}","max_output_tokens":{{MaxTokens}},"temperature":0,"instructions":"{{SystemMessage}}","input":[{"role":"user","content":"Weather in Paris?"},{{item.GetRawText()}},{"type":"function_call_output","call_id":"{{callId}}","output":"22C"}]}""";
        JsonElement expected = await DirectAsync("responses", body);
        JsonElement answer = responses.GetProperty("answer");
        Assert.Equal(expected.GetProperty("output")[0].GetProperty("content").GetRawText(), answer.GetProperty("output")[0].GetProperty("content").GetRawText());
        Assert.Equal(expected.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString(), answer.GetProperty("output_text").GetString());
        Assert.Equal(("incomplete", """{"reason":"max_output_tokens"}"""), (answer.GetProperty("status").GetString(), answer.GetProperty("incomplete_details").GetRawText()));
        Assert.Equal(MaxTokens, answer.GetProperty("usage").GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task ResponsesStream_TheSdksAccumulatorReadsTheTextEventsIntoTheWholeResponse()
    {
        JsonElement stream = (await RunAsync()).GetProperty("responses").GetProperty("text_stream");
        string body = $$"""{"model":"{{Model}}","max_output_tokens":{{MaxTokens}},"temperature":0,"instructions":"{{SystemMessage}}","input":"{{UserMessage}}"}""";
        JsonElement expected = await DirectAsync("responses", body);
        string text = expected.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString()!;

        Assert.Equal(
            ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added", .. Enumerable.Repeat("response.output_text.delta", MaxTokens), "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.incomplete"],
            Strings(stream.GetProperty("events")));
        Assert.Equal((text, text), (stream.GetProperty("deltas").GetString(), stream.GetProperty("output_text").GetString()));
        JsonElement final = stream.GetProperty("final");
        // The SDK's finalResponse adds its own "parsed" to each part; the rest is the endpoint's.
        Assert.Equal((text, "incomplete", "incomplete"), (final.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString(), final.GetProperty("output")[0].GetProperty("status").GetString(), final.GetProperty("status").GetString()));
        Assert.Equal(expected.GetProperty("usage").GetRawText(), final.GetProperty("usage").GetRawText());
    }

    [Fact]
    public async Task ResponsesStream_CallEvents_AccumulateIntoTheFunctionCall()
    {
        JsonElement stream = (await RunAsync()).GetProperty("responses").GetProperty("call_stream");
        string[] events = Strings(stream.GetProperty("events"));
        int deltas = events.Count(type => type == "response.function_call_arguments.delta");

        Assert.True(deltas > 2, "the arguments came in pieces");
        Assert.Equal(
            ["response.created", "response.in_progress", "response.output_item.added", .. Enumerable.Repeat("response.function_call_arguments.delta", deltas), "response.function_call_arguments.done", "response.output_item.done", "response.completed"],
            events);
        Assert.Equal(ParisArguments, stream.GetProperty("argument_deltas").GetString());
        JsonElement item = Assert.Single(stream.GetProperty("final").GetProperty("output").EnumerateArray().ToArray());
        Assert.Equal(("function_call", "get_weather", ParisArguments, "completed"), (item.GetProperty("type").GetString(), item.GetProperty("name").GetString(), item.GetProperty("arguments").GetString(), item.GetProperty("status").GetString()));
    }

    [Theory]
    [InlineData("generate")]
    [InlineData("stream")]
    public async Task AiSdk_ToolLoop_InvokesTheToolThenAnswersInTheNextStep(string call)
    {
        JsonElement sdk = (await RunAsync()).GetProperty("ai_sdk");
        JsonElement result = sdk.GetProperty(call);
        JsonElement[] steps = result.GetProperty("steps").EnumerateArray().ToArray();

        Assert.Equal(["Paris"], Strings(result.GetProperty("invoked")));
        Assert.Equal(2, steps.Length);
        Assert.Equal(
            """{"finish_reason":"tool-calls","tool_calls":[{"name":"get_weather","input":{"city":"Paris"}}],"tool_results":[{"name":"get_weather","output":"22C"}],"text":""}""",
            steps[0].GetRawText());
        Assert.Equal(("length", "[]"), (steps[1].GetProperty("finish_reason").GetString(), steps[1].GetProperty("tool_calls").GetRawText()));
        Assert.NotEmpty(steps[1].GetProperty("text").GetString()!);
        Assert.Equal(steps[1].GetProperty("text").GetString(), result.GetProperty("text").GetString());
        // Streamed or not, the same steps.
        Assert.Equal(sdk.GetProperty("generate").GetProperty("steps").GetRawText(), result.GetProperty("steps").GetRawText());
    }

    [Fact]
    public async Task CloudflareAiRun_WithTools_ReturnsToolCalls()
    {
        JsonElement call = (await RunAsync()).GetProperty("cloudflare_tools").GetProperty("call");

        Assert.Equal("""[{"name":"get_weather","arguments":{"city":"Paris"}}]""", call.GetProperty("tool_calls").GetRawText());
        Assert.Equal(string.Empty, call.GetProperty("response").GetString());
    }

    [Fact]
    public async Task ToolClients_Requests_UseTheDocumentedPaths()
    {
        const string run = "/client/v4/accounts/" + OfficialClients.AccountId + "/ai/run/@ember%2Ftiny-llama";
        const string json = "application/json; charset=utf-8";
        const string sse = "text/event-stream";
        (string, int, string)[] expected =
        [
            (ChatPath, 200, json), (ChatPath, 200, json), (ChatPath, 200, sse),
            (ResponsesPath, 200, json), (ResponsesPath, 200, json), (ResponsesPath, 200, sse), (ResponsesPath, 200, sse),
            (ChatPath, 200, json), (ChatPath, 200, json), (ChatPath, 200, sse), (ChatPath, 200, sse),
            (run, 200, json),
        ];

        JsonElement[] requests = (await RunAsync()).GetProperty("tool_requests").EnumerateArray().ToArray();

        Assert.Equal(expected, requests.Select(request => (request.GetProperty("path").GetString()!, request.GetProperty("status").GetInt32(), request.GetProperty("content_type").GetString()!)));
    }

    private async Task<JsonElement> DirectAsync(string path, string body)
    {
        using HttpClient client = host.CreateClient();
        using HttpResponseMessage response = await client.PostAsync(ApiAssert.OpenAiPath(path), ApiAssert.Json(body));
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        using JsonDocument document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    [GeneratedRegex("^call_[0-9a-f]{24}$")]
    private static partial Regex CallIdPattern();
}
