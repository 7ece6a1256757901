using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ember.Host.Tests.Infrastructure;
using Ember.Models.Chat;
using Ember.Runtime.Generation;

namespace Ember.Host.Tests.Endpoints;

/// <summary><c>POST …/ai/v1/responses</c> on the scripted runtime: exact objects and event sequences, and each bad input's 5006 in OpenAI's shape.</summary>
[Collection(ScriptedHostCollectionDefinition.Name)]
public sealed partial class ResponsesScriptedTests(ScriptedHostFixture host)
{
    private const string Tools = """[{"type":"function","name":"get_weather","description":"The weather.","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]""";
    private const string CallPieces = """#pieces:[TOOL_|CALLS][{"name":"get_weather","arguments":{"ci|ty":"Paris"}}]""";
    private static readonly string Path = ApiAssert.OpenAiPath("responses");

    private static string Body(string input, string extra = "") =>
        $$"""{"model":"@ember/tiny-llama","input":{{JsonSerializer.Serialize(input)}}{{extra}}}""";

    // The ids and the time vary; the rest of the text is exact.
    private static string Normalized(string json) => Ids().Replace(CreatedAt().Replace(json, "\"created_at\":0"), match => match.Groups[1].Value + "X");

    [Fact]
    public async Task Whole_TextAnswer_IsTheResponseObjectWithOneMessageAndUsage()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Path, ApiAssert.Json(Body("#pieces:Hel|lo!", ""","instructions":"Be brief.","temperature":0.5""")));

        string body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches("^\\{\"object\":\"response\",\"id\":\"resp_[0-9a-f]{32}\"", body);
        Assert.Equal(
            """{"object":"response","id":"resp_X","created_at":0,"status":"completed","error":null,"incomplete_details":null,"instructions":"Be brief.","max_output_tokens":null,"model":"@ember/tiny-llama","output":[{"type":"message","id":"msg_X","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hello!","annotations":[],"logprobs":[]}]}],"parallel_tool_calls":true,"previous_response_id":null,"store":false,"temperature":0.5,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":null,"truncation":"disabled","usage":{"input_tokens":25,"input_tokens_details":{"cached_tokens":0},"output_tokens":2,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":27}}""",
            Normalized(body));
        Assert.Equal([new ChatMessage(ChatRole.System, "Be brief."), new ChatMessage(ChatRole.User, "#pieces:Hel|lo!")], host.Generation.Last.Request.Messages);
        Assert.Equal(0.5, host.Generation.Last.Request.Temperature);
    }

    [Fact]
    public async Task Whole_CallAnswer_IsFunctionCallItems()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Path, ApiAssert.Json(Body(CallPieces, $$""","tools":{{Tools}},"tool_choice":"required","parallel_tool_calls":false""")));

        using JsonDocument document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        JsonElement item = document.RootElement.GetProperty("output")[0];
        string callId = item.GetProperty("call_id").GetString()!;
        Assert.Matches("^call_[0-9a-f]{24}$", callId);
        Assert.Equal(
            $$"""[{"type":"function_call","id":"fc_{{callId[5..]}}","status":"completed","call_id":"{{callId}}","name":"get_weather","arguments":"{\"city\":\"Paris\"}"}]""",
            document.RootElement.GetProperty("output").GetRawText());
        Assert.Equal(("completed", "\"required\"", false), (document.RootElement.GetProperty("status").GetString(), document.RootElement.GetProperty("tool_choice").GetRawText(), document.RootElement.GetProperty("parallel_tool_calls").GetBoolean()));
        Assert.Equal(Tools, document.RootElement.GetProperty("tools").GetRawText());
        Assert.Equal((ToolChoiceMode.Required, false, "get_weather"), (host.Generation.Last.Request.ToolChoice!.Mode, host.Generation.Last.Request.ParallelToolCalls, host.Generation.Last.Request.Tools![0].Name));
    }

    [Fact]
    public async Task Whole_CutByMaxOutputTokens_IsIncompleteWithItsReason()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage text = await client.PostAsync(Path, ApiAssert.Json(Body("#pieces:a|b|c", ""","max_output_tokens":2""")));
        using HttpResponseMessage call = await client.PostAsync(Path, ApiAssert.Json(Body(CallPieces, $$""","tools":{{Tools}},"max_output_tokens":2""")));

        using JsonDocument textDocument = JsonDocument.Parse(await text.Content.ReadAsStringAsync());
        using JsonDocument callDocument = JsonDocument.Parse(await call.Content.ReadAsStringAsync());
        Assert.Equal(
            ("incomplete", """{"reason":"max_output_tokens"}""", 2, "incomplete", "ab"),
            (textDocument.RootElement.GetProperty("status").GetString(), textDocument.RootElement.GetProperty("incomplete_details").GetRawText(), textDocument.RootElement.GetProperty("max_output_tokens").GetInt32(), textDocument.RootElement.GetProperty("output")[0].GetProperty("status").GetString(), textDocument.RootElement.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString()));
        // A call cut short is no call, and no text either.
        Assert.Equal(("incomplete", "[]"), (callDocument.RootElement.GetProperty("status").GetString(), callDocument.RootElement.GetProperty("output").GetRawText()));
    }

    [Fact]
    public async Task Streamed_TextAnswer_IsTheResponsesEventSequence()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Path, ApiAssert.Json(Body("#pieces:Hel|lo!", ""","stream":true""")));

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        const string Snapshot = """{"object":"response","id":"resp_X","created_at":0,"status":"in_progress","error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"@ember/tiny-llama","output":[],"parallel_tool_calls":true,"previous_response_id":null,"store":false,"temperature":null,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":null,"truncation":"disabled","usage":null""";
        Assert.Equal(
            [
                """response.created|{"type":"response.created","sequence_number":0,"response":""" + Snapshot + "}}",
                """response.in_progress|{"type":"response.in_progress","sequence_number":1,"response":""" + Snapshot + "}}",
                """response.output_item.added|{"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"type":"message","id":"msg_X","status":"in_progress","role":"assistant","content":[]}}""",
                """response.content_part.added|{"type":"response.content_part.added","sequence_number":3,"output_index":0,"item_id":"msg_X","content_index":0,"part":{"type":"output_text","text":"","annotations":[],"logprobs":[]}}""",
                """response.output_text.delta|{"type":"response.output_text.delta","sequence_number":4,"output_index":0,"item_id":"msg_X","content_index":0,"delta":"Hel","logprobs":[]}""",
                """response.output_text.delta|{"type":"response.output_text.delta","sequence_number":5,"output_index":0,"item_id":"msg_X","content_index":0,"delta":"lo!","logprobs":[]}""",
                """response.output_text.done|{"type":"response.output_text.done","sequence_number":6,"output_index":0,"item_id":"msg_X","content_index":0,"text":"Hello!","logprobs":[]}""",
                """response.content_part.done|{"type":"response.content_part.done","sequence_number":7,"output_index":0,"item_id":"msg_X","content_index":0,"part":{"type":"output_text","text":"Hello!","annotations":[],"logprobs":[]}}""",
                """response.output_item.done|{"type":"response.output_item.done","sequence_number":8,"output_index":0,"item":{"type":"message","id":"msg_X","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hello!","annotations":[],"logprobs":[]}]}}""",
                """response.completed|{"type":"response.completed","sequence_number":9,"response":""" + Snapshot.Replace("\"status\":\"in_progress\"", "\"status\":\"completed\"", StringComparison.Ordinal).Replace("output\":[]", """output":[{"type":"message","id":"msg_X","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hello!","annotations":[],"logprobs":[]}]}]""", StringComparison.Ordinal).Replace("usage\":null", """usage":{"input_tokens":16,"input_tokens_details":{"cached_tokens":0},"output_tokens":2,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":18}""", StringComparison.Ordinal) + "}}",
            ],
            NamedEvents(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Streamed_CallAnswer_IsItemAddedArgumentDeltasDoneAndCompleted()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Path, ApiAssert.Json(Body(CallPieces, $$""","stream":true,"tools":{{Tools}},"tool_choice":{"type":"function","name":"get_weather"}""")));

        string text = await response.Content.ReadAsStringAsync();
        string callId = CallId().Match(text).Value;
        string[] events = [.. NamedEvents(text)];
        string item = $$"""{"type":"function_call","id":"fc_{{callId[5..]}}","status":"completed","call_id":"{{callId}}","name":"get_weather","arguments":"{\"city\":\"Paris\"}"}""";
        Assert.Equal(
            [
                "response.created",
                "response.in_progress",
                $$"""response.output_item.added|{"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"type":"function_call","id":"fc_{{callId[5..]}}","status":"in_progress","call_id":"{{callId}}","name":"get_weather","arguments":""" + "\"\"}}",
                $$"""response.function_call_arguments.delta|{"type":"response.function_call_arguments.delta","sequence_number":3,"output_index":0,"item_id":"fc_{{callId[5..]}}","delta":"{\"ci"}""",
                $$"""response.function_call_arguments.delta|{"type":"response.function_call_arguments.delta","sequence_number":4,"output_index":0,"item_id":"fc_{{callId[5..]}}","delta":"ty\":\"Paris\"}"}""",
                $$"""response.function_call_arguments.done|{"type":"response.function_call_arguments.done","sequence_number":5,"output_index":0,"item_id":"fc_{{callId[5..]}}","arguments":"{\"city\":\"Paris\"}","name":"get_weather"}""",
                $$"""response.output_item.done|{"type":"response.output_item.done","sequence_number":6,"output_index":0,"item":""" + item + "}",
                "response.completed",
            ],
            events.Select(line => line.StartsWith("response.created", StringComparison.Ordinal) || line.StartsWith("response.in_progress", StringComparison.Ordinal) || line.StartsWith("response.completed", StringComparison.Ordinal) ? line[..line.IndexOf('|', StringComparison.Ordinal)] : line));
        using JsonDocument completed = JsonDocument.Parse(events[^1][(events[^1].IndexOf('|', StringComparison.Ordinal) + 1)..]);
        Assert.Equal("[" + item + "]", completed.RootElement.GetProperty("response").GetProperty("output").GetRawText());
        Assert.Equal(7, completed.RootElement.GetProperty("sequence_number").GetInt32());
    }

    [Fact]
    public async Task Streamed_FailureAfterTheFirstEvent_IsAnErrorEventAndResponseFailed()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Path, ApiAssert.Json(Body("#midstream", ""","stream":true""")));

        string[] events = [.. NamedEvents(await response.Content.ReadAsStringAsync())];
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added", "response.output_text.delta", "response.output_text.delta", "error", "response.failed"], events.Select(line => line[..line.IndexOf('|', StringComparison.Ordinal)]));
        Assert.StartsWith("""error|{"type":"error","sequence_number":6,"code":"3007","message":""", events[6], StringComparison.Ordinal);
        using JsonDocument failed = JsonDocument.Parse(events[7][(events[7].IndexOf('|', StringComparison.Ordinal) + 1)..]);
        Assert.Equal(("failed", "3007"), (failed.RootElement.GetProperty("response").GetProperty("status").GetString(), failed.RootElement.GetProperty("response").GetProperty("error").GetProperty("code").GetString()));
    }

    [Fact]
    public async Task InputItems_MessagesCallsAndOutputs_ReachTheRuntimeAsAConversation()
    {
        using HttpClient client = host.CreateClient();
        string body = $$"""{"model":"@ember/tiny-llama","tools":{{Tools}},"input":[{"role":"developer","content":"Be brief."},{"type":"message","role":"user","content":[{"type":"input_text","text":"Weather "},{"type":"input_text","text":"in Paris?"}]},{"type":"function_call","call_id":"call_a","name":"get_weather","arguments":"{\"city\":\"Paris\"}"},{"type":"function_call","call_id":"call_b","name":"get_weather","arguments":"{}"},{"type":"function_call_output","call_id":"call_a","output":"22C"},{"type":"function_call_output","call_id":"call_b","output":[{"type":"input_text","text":"?"}]},{"role":"assistant","content":[{"type":"output_text","text":"It is 22C."}]},{"role":"user","content":"Thanks"}]}""";

        using HttpResponseMessage response = await client.PostAsync(Path, ApiAssert.Json(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        ChatMessage[] expected =
        [
            new(ChatRole.System, "Be brief."),
            new(ChatRole.User, "Weather in Paris?"),
            new(ChatRole.Assistant, string.Empty) { ToolCalls = [new("call_a", "get_weather", "{\"city\":\"Paris\"}"), new("call_b", "get_weather", "{}")] },
            new(ChatRole.Tool, "22C") { ToolCallId = "call_a" },
            new(ChatRole.Tool, "?") { ToolCallId = "call_b" },
            new(ChatRole.Assistant, "It is 22C."),
            new(ChatRole.User, "Thanks"),
        ];
        var messages = host.Generation.Last.Request.Messages!;
        Assert.Equal(expected.Length, messages.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal((expected[i].Role, expected[i].Content, expected[i].ToolCallId), (messages[i].Role, messages[i].Content, messages[i].ToolCallId));
            Assert.Equal(expected[i].ToolCalls ?? [], messages[i].ToolCalls ?? []);
        }
    }

    [Theory]
    [InlineData("""{"type":"json_object"}""", ResponseFormatKind.JsonObject, null)]
    [InlineData("""{"type":"json_schema","name":"answer","strict":true,"schema":{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"],"additionalProperties":false}}""", ResponseFormatKind.JsonSchema, """{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"],"additionalProperties":false}""")]
    public async Task TextFormat_ReachesTheRuntimeAsItsResponseFormat(string format, ResponseFormatKind kind, string? schema)
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Path, ApiAssert.Json(Body("Hi", $$""","text":{"format":{{format}}}""")));

        using JsonDocument document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("{\"format\":" + format + "}", document.RootElement.GetProperty("text").GetRawText());
        ResponseFormat given = host.Generation.Last.Request.ResponseFormat!;
        Assert.Equal((kind, schema), (given.Kind, given.Schema?.GetRawText()));
    }

    [Theory]
    [InlineData("""{"model":"@ember/tiny-llama"}""", "input", "input: is required: a string or an array of input items")]
    [InlineData("""{"model":"@ember/tiny-llama","input":[]}""", "input", "input: must be a string or a non-empty array of input items")]
    [InlineData("""{"model":"@ember/tiny-llama","input":"Hi","previous_response_id":"resp_1"}""", "previous_response_id", "previous_response_id: must be null: Ember's Responses API is stateless and keeps no responses; send the whole conversation in input")]
    [InlineData("""{"model":"@ember/tiny-llama","input":"Hi","conversation":"conv_1"}""", "conversation", "conversation: must be null: Ember's Responses API is stateless and keeps no conversations; send the whole conversation in input")]
    [InlineData("""{"model":"@ember/tiny-llama","input":"Hi","background":true}""", "background", "background: must be false or null: background responses are not supported")]
    [InlineData("""{"model":"@ember/tiny-llama","input":[{"type":"reasoning","summary":[]}]}""", "input[0].type", "input[0].type: must be \"message\", \"function_call\" or \"function_call_output\"")]
    [InlineData("""{"model":"@ember/tiny-llama","input":[{"role":"tool","content":"x"}]}""", "input[0].role", "input[0].role: must be one of \"system\", \"developer\", \"user\", \"assistant\"")]
    [InlineData("""{"model":"@ember/tiny-llama","input":[{"role":"user","content":[{"type":"input_image","image_url":"x"}]}]}""", "input[0].content[0].type", "input[0].content[0].type: must be \"input_text\" or \"output_text\" (only text parts are supported)")]
    [InlineData("""{"model":"@ember/tiny-llama","input":[{"role":"user","content":"Hi"},{"type":"function_call_output","call_id":"call_x","output":"1"}]}""", "input[1].call_id", "input[1].call_id: names 'call_x', which is no earlier function_call item")]
    [InlineData("""{"model":"@ember/tiny-llama","input":[{"type":"function_call","call_id":"call_x","name":"f","arguments":"[1]"}]}""", "input[0].arguments", "input[0].arguments: must be the JSON text of an object")]
    [InlineData("""{"model":"@ember/tiny-llama","input":[{"type":"function_call","name":"f","arguments":"{}"}]}""", "input[0].call_id", "input[0].call_id: is required: a string")]
    [InlineData("""{"model":"@ember/tiny-llama","input":"Hi","max_output_tokens":0}""", "max_output_tokens", "max_output_tokens: must be an integer from 1 to")]
    [InlineData("""{"model":"@ember/tiny-llama","input":"Hi","text":{"format":{"type":"yaml"}}}""", "text.format.type", "text.format.type: must be \"text\", \"json_object\" or \"json_schema\"")]
    [InlineData("""{"model":"@ember/tiny-llama","input":"Hi","text":{"format":{"type":"json_schema","name":"x"}}}""", "text.format.schema", "text.format.schema: is required: a JSON Schema")]
    [InlineData("""{"model":"@ember/tiny-llama","input":"Hi","tools":[{"type":"function","description":"x"}]}""", "tools[0].name", "tools[0].name: is required")]
    [InlineData("""{"model":"@ember/tiny-llama","input":"Hi","tools":[{"type":"function","name":"a"}],"tool_choice":{"type":"function","name":"b"}}""", "tool_choice", "tool_choice:")]
    [InlineData("""{"model":"@ember/tiny-llama","input":"Hi","tools":[{"type":"function","name":"a"}],"text":{"format":{"type":"json_object"}}}""", "text.format", "text.format: must be text (or absent) when the model may call tools")]
    public async Task BadInput_Is400With5006NamingTheField(string body, string field, string message)
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Path, ApiAssert.Json(body));

        JsonElement error = await ApiAssert.OpenAiErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", 5006, message);
        Assert.Equal(field, error.GetProperty("param").GetString());
    }

    // Each event as "<event name>|<data>", with the ids and the time normalized; the framing is asserted.
    private static IEnumerable<string> NamedEvents(string body)
    {
        Assert.EndsWith("\n\n", body, StringComparison.Ordinal);
        foreach (string item in body[..^2].Split("\n\n"))
        {
            string[] lines = item.Split('\n');
            Assert.Equal(2, lines.Length);
            Assert.StartsWith("event: ", lines[0], StringComparison.Ordinal);
            Assert.StartsWith("data: ", lines[1], StringComparison.Ordinal);
            string name = lines[0]["event: ".Length..];
            using JsonDocument data = JsonDocument.Parse(lines[1]["data: ".Length..]);
            Assert.Equal(name, data.RootElement.GetProperty("type").GetString());
            yield return name + "|" + Normalized(lines[1]["data: ".Length..]);
        }
    }

    [GeneratedRegex("(resp_|msg_)[0-9a-f]{32}")]
    private static partial Regex Ids();

    [GeneratedRegex("\"created_at\":\\d+")]
    private static partial Regex CreatedAt();

    [GeneratedRegex("call_[0-9a-f]{24}")]
    private static partial Regex CallId();
}
