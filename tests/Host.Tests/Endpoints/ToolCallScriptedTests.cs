using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ember.Host.Tests.Infrastructure;
using Ember.Models.Catalog;
using Ember.Runtime.Generation;

namespace Ember.Host.Tests.Endpoints;

/// <summary>Tool calls on the OpenAI chat endpoint and Workers AI's run, on the scripted runtime: exact shapes, and each bad input's 5006.</summary>
[Collection(ScriptedHostCollectionDefinition.Name)]
public sealed partial class ToolCallScriptedTests(ScriptedHostFixture host)
{
    private const string Tools = """[{"type":"function","function":{"name":"get_weather","description":"The weather.","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]""";
    private const string CallPieces = """#pieces:[TOOL_|CALLS][{"name":"get_weather","arguments":{"ci|ty":"Paris"}}]""";
    private static readonly string Chat = ApiAssert.OpenAiPath("chat/completions");
    private static readonly string Run = ApiAssert.RunPath(ModelCatalog.TinyLlamaId);

    private static string ChatBody(string content, string extra = "") =>
        $$$$$"""{"model":"@ember/tiny-llama","messages":[{"role":"user","content":{{{{{JsonSerializer.Serialize(content)}}}}}}],"tools":{{{{{Tools}}}}}{{{{{extra}}}}}}""";

    [Fact]
    public async Task ChatCompletions_WholeCall_IsToolCallsWithNullContentAndFinishToolCalls()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Chat, ApiAssert.Json(ChatBody(CallPieces)));

        using JsonDocument document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        JsonElement choice = document.RootElement.GetProperty("choices")[0];
        string id = choice.GetProperty("message").GetProperty("tool_calls")[0].GetProperty("id").GetString()!;
        Assert.Matches("^call_[0-9a-f]{24}$", id);
        Assert.Equal(
            $$$$$"""{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"{{{{{id}}}}}","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},"finish_reason":"tool_calls","logprobs":null}""",
            choice.GetRawText());
        Assert.Equal(ToolChoice.Auto, host.Generation.Last.Request.EffectiveToolChoice);
    }

    [Fact]
    public async Task ChatCompletions_StreamedCall_IsIdIndexAndNameThenArgumentPiecesThenFinishToolCalls()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Chat, ApiAssert.Json(ChatBody(CallPieces, ""","stream":true,"tool_choice":"required","parallel_tool_calls":false""")));

        string text = await response.Content.ReadAsStringAsync();
        string id = CallIdPattern().Match(text).Groups[1].Value;
        string[] deltas = [.. ApiAssert.SseEvents(text).Where(data => data != "[DONE]").Select(data => JsonDocument.Parse(data).RootElement.GetProperty("choices")[0]).Select(choice => choice.GetProperty("delta").GetRawText() + "|" + choice.GetProperty("finish_reason").GetRawText())];
        Assert.Equal(
            [
                """{"role":"assistant","content":""}|null""",
                $$$$$"""{"tool_calls":[{"index":0,"id":"{{{{{id}}}}}","type":"function","function":{"name":"get_weather","arguments":""}}]}|null""",
                """{"tool_calls":[{"index":0,"function":{"arguments":"{\"ci"}}]}|null""",
                """{"tool_calls":[{"index":0,"function":{"arguments":"ty\":\"Paris\"}"}}]}|null""",
                "{}|\"tool_calls\"",
            ],
            deltas);
        Assert.Equal((ToolChoiceMode.Required, false), (host.Generation.Last.Request.ToolChoice!.Mode, host.Generation.Last.Request.ParallelToolCalls));
    }

    [Fact]
    public async Task ChatCompletions_TextAnswerWithTools_IsTextWithFinishStop()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Chat, ApiAssert.Json(ChatBody("#pieces:[|1]| is a list")));

        using JsonDocument document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("""{"index":0,"message":{"role":"assistant","content":"[1] is a list"},"finish_reason":"stop","logprobs":null}""", document.RootElement.GetProperty("choices")[0].GetRawText());
    }

    [Fact]
    public async Task ChatCompletions_HistoryWithCallAndToolMessage_ReachesTheRuntime()
    {
        using HttpClient client = host.CreateClient();
        string body = $$$$$"""{"model":"@ember/tiny-llama","tools":{{{{{Tools}}}}},"messages":[{"role":"user","content":"Weather?"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_a","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},{"role":"tool","tool_call_id":"call_a","content":"22C"}]}""";

        using HttpResponseMessage response = await client.PostAsync(Chat, ApiAssert.Json(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var messages = host.Generation.Last.Request.Messages!;
        Assert.Equal(new Ember.Models.Chat.ChatToolCall("call_a", "get_weather", """{"city":"Paris"}"""), Assert.Single(messages[1].ToolCalls!));
        Assert.Equal(("call_a", "22C"), (messages[2].ToolCallId, messages[2].Content));
    }

    [Theory]
    [InlineData(""","tools":[{"type":"function","function":{"description":"x"}}]""", "tools[0].function.name")]
    [InlineData(""","tools":[{"type":"function","function":{"name":"a b"}}]""", "tools[0].function.name")]
    [InlineData(""","tools":[{"type":"function","function":{"name":"a"}},{"type":"function","function":{"name":"a"}}]""", "tools[1].function.name")]
    [InlineData(""","tools":[{"type":"code","function":{"name":"a"}}]""", "tools[0].type")]
    [InlineData(""","tools":[{"type":"function","function":{"name":"a"}}],"tool_choice":{"type":"function","function":{"name":"b"}}""", "tool_choice")]
    [InlineData(",\"tool_choice\":\"required\"", "tool_choice")]
    [InlineData(",\"tool_choice\":\"sometimes\"", "tool_choice")]
    public async Task ChatCompletions_BadTools_Are400With5006NamingTheField(string extra, string field)
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Chat, ApiAssert.Json("""{"model":"@ember/tiny-llama","messages":[{"role":"user","content":"Hi"}]""" + extra + "}"));

        JsonElement error = await ApiAssert.OpenAiErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", 5006, field + ":");
        Assert.Equal(field, error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task ChatCompletions_ToolMessageAnsweringNoCall_Is400NamingToolCallId()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Chat, ApiAssert.Json("""{"model":"@ember/tiny-llama","messages":[{"role":"user","content":"Hi"},{"role":"tool","tool_call_id":"call_x","content":"1"}]}"""));

        await ApiAssert.OpenAiErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", 5006, "messages[1].tool_call_id: names 'call_x', which is no call of an earlier assistant message");
    }

    [Fact]
    public async Task AiRun_FlatToolsWholeCall_IsResultToolCallsWithObjectArguments()
    {
        using HttpClient client = host.CreateClient();
        string body = $$$$$"""{"messages":[{"role":"user","content":{{{{{JsonSerializer.Serialize(CallPieces)}}}}}}],"tools":[{"name":"get_weather","description":"The weather.","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}]}""";

        using HttpResponseMessage response = await client.PostAsync(Run, ApiAssert.Json(body));

        JsonElement result = await ApiAssert.SuccessAsync(response);
        Assert.StartsWith("""{"tool_calls":[{"name":"get_weather","arguments":{"city":"Paris"}}],"response":"","usage":{"prompt_tokens":""", result.GetRawText(), StringComparison.Ordinal);
        Assert.Equal("get_weather", host.Generation.Last.Request.Tools![0].Name);
    }

    [Fact]
    public async Task AiRun_StreamedCall_IsOneToolCallsEventBeforeTheUsage()
    {
        using HttpClient client = host.CreateClient();
        string body = $$$$$$"""{"stream":true,"messages":[{"role":"user","content":{{{{{{JsonSerializer.Serialize(CallPieces)}}}}}}}],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]}""";

        using HttpResponseMessage response = await client.PostAsync(Run, ApiAssert.Json(body));

        var events = ApiAssert.SseEvents(await response.Content.ReadAsStringAsync());
        Assert.Equal(3, events.Count);
        Assert.Equal("""{"tool_calls":[{"name":"get_weather","arguments":{"city":"Paris"}}],"response":""}""", events[0]);
        Assert.StartsWith("""{"response":"","usage":""", events[1], StringComparison.Ordinal);
        Assert.Equal("[DONE]", events[2]);
    }

    [Theory]
    [InlineData(""","tools":[{"description":"x"}]""", "tools[0].name")]
    [InlineData(""","tools":[{"name":"a"},{"name":"a"}]""", "tools[1].name")]
    [InlineData(""","tools":[{"name":"a"}],"tool_choice":{"type":"function","function":{"name":"b"}}""", "tool_choice")]
    public async Task AiRun_BadTools_Are400With5006NamingTheField(string extra, string field)
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Run, ApiAssert.Json("""{"messages":[{"role":"user","content":"Hi"}]""" + extra + "}"));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, 5006, field + ":");
    }

    [GeneratedRegex("\"id\":\"(call_[0-9a-f]{24})\"")]
    private static partial Regex CallIdPattern();
}
