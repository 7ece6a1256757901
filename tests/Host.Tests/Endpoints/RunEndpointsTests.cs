using System.Net;
using System.Text.Json;
using Ember.Host.Tests.Infrastructure;
using Ember.Models.Catalog;

namespace Ember.Host.Tests.Endpoints;

/// <summary>
/// <c>POST …/ai/run/{model}</c> on the main host: answers whose exact text depends on the runtime are checked
/// for shape and consistency (stream equals whole answer under greedy decoding).
/// </summary>
[Collection(EmberHostCollectionDefinition.Name)]
public sealed class RunEndpointsTests(EmberHostFixture host)
{
    private const string Tiny = ModelCatalog.TinyLlamaId;

    [Theory]
    [InlineData("@ember/tiny-llama")]
    [InlineData("%40ember%2Ftiny-llama")]
    [InlineData("%40ember/tiny-llama")]
    [InlineData("@ember%2ftiny-llama")]
    public async Task Run_RawOrEncodedModelId_Returns200Envelope(string model)
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(model), ApiAssert.Json("""{"prompt":"Tell me a story","max_tokens":8,"temperature":0}"""));

        JsonElement result = await ApiAssert.SuccessAsync(response);
        Assert.Equal(["response", "usage"], result.EnumerateObject().Select(property => property.Name));
        Assert.Equal(JsonValueKind.String, result.GetProperty("response").ValueKind);
        ApiAssert.Usage(result.GetProperty("usage"), 8);
    }

    [Fact]
    public async Task Run_Envelope_HasExactTopLevelShape()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(Tiny), ApiAssert.Json("""{"prompt":"Hi","max_tokens":4}"""));

        using JsonDocument document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(["result", "success", "errors", "messages"], document.RootElement.EnumerateObject().Select(property => property.Name));
    }

    [Fact]
    public async Task Run_Messages_Returns200()
    {
        using HttpClient client = host.CreateClient();
        const string body = """
            {"messages":[{"role":"system","content":"You are a friendly assistant"},{"role":"user","content":"Why is pizza so good"}],"max_tokens":6,"temperature":0}
            """;

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(Tiny), ApiAssert.Json(body));

        JsonElement result = await ApiAssert.SuccessAsync(response);
        ApiAssert.Usage(result.GetProperty("usage"), 6);
    }

    [Fact]
    public async Task Run_AllOptionalFields_Accepted()
    {
        using HttpClient client = host.CreateClient();
        const string body = """
            {"prompt":"Hi","stream":false,"max_tokens":3,"raw":true,"temperature":0.7,"top_p":0.9,"top_k":40,"seed":42,
             "repetition_penalty":1.1,"frequency_penalty":0.5,"presence_penalty":0.5,"options":{"rejectIfBusy":false},"unknown_field":[1,2]}
            """;

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(Tiny), ApiAssert.Json(body));

        ApiAssert.Usage((await ApiAssert.SuccessAsync(response)).GetProperty("usage"), 3);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Run_Stop_CutsTheTextBeforeTheFirstStopString(bool stream)
    {
        using HttpClient client = host.CreateClient();
        using HttpResponseMessage free = await client.PostAsync(ApiAssert.RunPath(Tiny), ApiAssert.Json("""{"prompt":"Tell me about rivers","max_tokens":16,"temperature":0}"""));
        string text = (await ApiAssert.SuccessAsync(free)).GetProperty("response").GetString()!;
        string stop = text.Substring(text.Length / 2, 5);
        string body = $$"""{"prompt":"Tell me about rivers","max_tokens":16,"temperature":0,"stream":{{(stream ? "true" : "false")}},"stop":["zzzz",{{JsonSerializer.Serialize(stop)}}]}""";

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(Tiny), ApiAssert.Json(body));

        string expected = text[..text.IndexOf(stop, StringComparison.Ordinal)];
        if (stream)
        {
            IReadOnlyList<string> events = ApiAssert.SseEvents(await response.Content.ReadAsStringAsync());
            Assert.Equal(expected, string.Concat(events.Take(events.Count - 2).Select(item => JsonDocument.Parse(item).RootElement.GetProperty("response").GetString())));
            Assert.InRange(JsonDocument.Parse(events[^2]).RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), 1, 15);
        }
        else
        {
            JsonElement result = await ApiAssert.SuccessAsync(response);
            Assert.Equal(expected, result.GetProperty("response").GetString());
            Assert.InRange(result.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), 1, 15);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Run_ResponseFormatJsonSchema_AnswersAValueOfTheSchema(bool stream)
    {
        using HttpClient client = host.CreateClient();
        const string schema = """{"type":"object","properties":{"ok":{"type":"boolean"},"level":{"enum":["low","high"]}},"required":["ok","level"],"additionalProperties":false}""";
        string body = $$$"""{"prompt":"Is the sea deep?","max_tokens":64,"temperature":0,"stream":{{{(stream ? "true" : "false")}}},"response_format":{"type":"json_schema","json_schema":{{{schema}}}}}""";

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(Tiny), ApiAssert.Json(body));

        string text;
        if (stream)
        {
            IReadOnlyList<string> events = ApiAssert.SseEvents(await response.Content.ReadAsStringAsync());
            text = string.Concat(events.Take(events.Count - 2).Select(item => JsonDocument.Parse(item).RootElement.GetProperty("response").GetString()));
        }
        else
        {
            text = (await ApiAssert.SuccessAsync(response)).GetProperty("response").GetString()!;
        }

        using JsonDocument value = JsonDocument.Parse(text);
        Assert.Equal(["ok", "level"], value.RootElement.EnumerateObject().Select(property => property.Name));
        Assert.True(value.RootElement.GetProperty("ok").ValueKind is JsonValueKind.True or JsonValueKind.False);
        Assert.True(value.RootElement.GetProperty("level").GetString() is "low" or "high");
    }

    [Theory]
    [InlineData("""{"type":"json_schema","json_schema":{"type":"object","properties":{"a":{"type":"integer","minimum":1}},"required":["a"]}}""", "response_format.json_schema: schema /properties/a: 'minimum' is not supported")]
    [InlineData("""{"type":"yaml"}""", "response_format.type: must be \"text\", \"json_object\" or \"json_schema\"")]
    public async Task Run_ResponseFormatInvalid_Returns400Code5006NamingIt(string format, string message)
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(Tiny), ApiAssert.Json("""{"prompt":"hi","response_format":""" + format + "}"));

        await ApiAssert.ErrorAsync(response, System.Net.HttpStatusCode.BadRequest, 5006, message, exact: true);
    }

    [Theory]
    [InlineData(""","stop":""" + "\"\"", "stop: must be a string of 1 to 131072 characters")]
    [InlineData(""","stop":["a","b","c","d","e"]""", "stop: must be a string or an array of at most 4 strings")]
    [InlineData(""","stop":[1]""", "stop[0]: must be a string")]
    [InlineData(""","stop":{"a":1}""", "stop: must be a string or an array of at most 4 strings")]
    public async Task Run_StopInvalid_Returns400Code5006NamingIt(string rest, string message)
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(Tiny), ApiAssert.Json("""{"prompt":"hi" """ + rest + "}"));

        await ApiAssert.ErrorAsync(response, System.Net.HttpStatusCode.BadRequest, 5006, message, exact: true);
    }

    [Fact]
    public async Task Run_NullOptionalFields_TakeDefaults()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(Tiny), ApiAssert.Json("""{"prompt":"Hi","max_tokens":null,"temperature":null,"stream":null,"messages":null}"""));

        await ApiAssert.SuccessAsync(response);
    }

    [Fact]
    public async Task Run_FormContentType_StillParsedAsJson()
    {
        using HttpClient client = host.CreateClient();
        using var content = new StringContent("""{"prompt":"Hi","max_tokens":2}""", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(Tiny), content);

        await ApiAssert.SuccessAsync(response);
    }

    [Fact]
    public async Task Run_Stream_FramesEventsThenUsageThenDone()
    {
        using HttpClient client = host.CreateClient();
        const string request = """{"prompt":"Tell me a story","max_tokens":12,"temperature":0,"stream":true}""";

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(Tiny), ApiAssert.Json(request));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        IReadOnlyList<string> events = ApiAssert.SseEvents(await response.Content.ReadAsStringAsync());
        Assert.Equal("[DONE]", events[^1]);
        using JsonDocument final = JsonDocument.Parse(events[^2]);
        Assert.Equal(["response", "usage"], final.RootElement.EnumerateObject().Select(property => property.Name));
        Assert.Equal(string.Empty, final.RootElement.GetProperty("response").GetString());
        ApiAssert.Usage(final.RootElement.GetProperty("usage"), 12);
        foreach (string piece in events.Take(events.Count - 2))
        {
            using JsonDocument document = JsonDocument.Parse(piece);
            Assert.Equal(["response"], document.RootElement.EnumerateObject().Select(property => property.Name));
            Assert.NotEqual(string.Empty, document.RootElement.GetProperty("response").GetString());
        }
    }

    [Fact]
    public async Task Run_StreamAndWhole_SameTextUnderGreedyDecoding()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage whole = await client.PostAsync(ApiAssert.RunPath(Tiny), ApiAssert.Json("""{"prompt":"Once upon a time","max_tokens":16,"temperature":0}"""));
        using HttpResponseMessage streamed = await client.PostAsync(ApiAssert.RunPath(Tiny), ApiAssert.Json("""{"prompt":"Once upon a time","max_tokens":16,"temperature":0,"stream":true}"""));

        JsonElement result = await ApiAssert.SuccessAsync(whole);
        IReadOnlyList<string> events = ApiAssert.SseEvents(await streamed.Content.ReadAsStringAsync());
        string joined = string.Concat(events.Take(events.Count - 2).Select(item => JsonDocument.Parse(item).RootElement.GetProperty("response").GetString()));
        Assert.Equal(result.GetProperty("response").GetString(), joined);
        using JsonDocument final = JsonDocument.Parse(events[^2]);
        Assert.Equal(result.GetProperty("usage").ToString(), final.RootElement.GetProperty("usage").ToString());
    }

    [Fact]
    public async Task Run_TinyModelGreedy_IsGolden()
    {
        // Ember's tiny model under greedy decoding, through the whole host (template, tokenizer, scheduler, SSE).
        // The text changes only when the model writer's weights do (see the Models goldens).
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(Tiny), ApiAssert.Json("""{"prompt":"Tell me a story","max_tokens":12,"temperature":0}"""));

        Assert.Equal(
            """{"result":{"response":" well let its along point ember old away let follow found great","usage":{"prompt_tokens":23,"completion_tokens":12,"total_tokens":35,"prompt_tokens_details":{"cached_tokens":0}}},"success":true,"errors":[],"messages":[]}""",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Run_PresenceAndFrequencyPenalties_ReachTheSampler()
    {
        using HttpClient client = host.CreateClient();
        const string Plain = """{"prompt":"Tell me a story","max_tokens":24,"temperature":0}""";
        const string Penalised = """{"prompt":"Tell me a story","max_tokens":24,"temperature":0,"presence_penalty":2,"frequency_penalty":2}""";

        using HttpResponseMessage plain = await client.PostAsync(ApiAssert.RunPath(Tiny), ApiAssert.Json(Plain));
        using HttpResponseMessage penalised = await client.PostAsync(ApiAssert.RunPath(Tiny), ApiAssert.Json(Penalised));

        string plainText = (await ApiAssert.SuccessAsync(plain)).GetProperty("response").GetString()!;
        string penalisedText = (await ApiAssert.SuccessAsync(penalised)).GetProperty("response").GetString()!;
        Assert.NotEqual(plainText, penalisedText);
        Assert.True(
            penalisedText.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct().Count() >= plainText.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct().Count(),
            $"penalised: '{penalisedText}', plain: '{plainText}'");
    }

    [Fact]
    public async Task Run_ClientLeavesMidStream_HostKeepsServing()
    {
        using HttpClient client = host.CreateClient();
        using (var request = new HttpRequestMessage(HttpMethod.Post, ApiAssert.RunPath(Tiny)) { Content = ApiAssert.Json("""{"prompt":"Hi","max_tokens":1024,"stream":true,"temperature":0}""") })
        using (HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await using Stream body = await response.Content.ReadAsStreamAsync();
            byte[] first = new byte[6];
            await body.ReadExactlyAsync(first);
            Assert.Equal("data: "u8.ToArray(), first);
        }

        using HttpResponseMessage next = await client.PostAsync(ApiAssert.RunPath(Tiny), ApiAssert.Json("""{"prompt":"Hi","max_tokens":2}"""));

        await ApiAssert.SuccessAsync(next);
    }

    [Fact]
    public async Task Run_AcceptHeaderEventStream_DoesNotStream()
    {
        using HttpClient client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, ApiAssert.RunPath(Tiny)) { Content = ApiAssert.Json("""{"prompt":"Hi","max_tokens":2}""") };
        request.Headers.Accept.ParseAdd("text/event-stream");

        using HttpResponseMessage response = await client.SendAsync(request);

        await ApiAssert.SuccessAsync(response);
    }

    [Fact]
    public async Task Run_UnknownModel_Returns400Code5007()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath("@cf/meta/llama-9-chat"), ApiAssert.Json("""{"prompt":"Hi"}"""));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, 5007, "No such model @cf/meta/llama-9-chat or task", exact: true);
    }

    [Fact]
    public async Task Run_ModelNotInstalled_Returns400Code5007SayingSo()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(ModelCatalog.Llama2ChatInt8Id), ApiAssert.Json("""{"prompt":"Hi"}"""));

        string message = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, 5007);
        Assert.Contains("not installed", message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Run_PromptOverContextWindow_Returns400Code5006()
    {
        using HttpClient client = host.CreateClient();
        string prompt = string.Join(' ', Enumerable.Range(0, 12000).Select(i => "w" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        string body = JsonSerializer.Serialize(new Dictionary<string, object> { ["prompt"] = prompt, ["max_tokens"] = 1024 });

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(Tiny), ApiAssert.Json(body));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, 5006);
    }

    [Fact]
    public async Task Run_MaxTokensOverSequenceLimit_Returns400NamingLimit()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(Tiny), ApiAssert.Json("""{"prompt":"Hi","max_tokens":1025}"""));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, 5006, "max_tokens: must be an integer from 1 to 1024", exact: true);
    }

    [Fact]
    public async Task Run_Get_Returns405Code7001()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.GetAsync(ApiAssert.RunPath(Tiny));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.MethodNotAllowed, 7001, "Method not allowed", exact: true);
        Assert.Contains("POST", response.Content.Headers.Allow);
    }

    [Theory]
    [InlineData("client/v4/accounts/acct123/ai/nothing")]
    [InlineData("client/v4/accounts/acct123/ai/run")]
    [InlineData("nope")]
    public async Task UnknownRoute_Returns404Code7003(string path)
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(path, ApiAssert.Json("{}"));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.NotFound, 7003, "No route for that URI", exact: true);
    }

    /// <summary>
    /// Four times the limit, sent without <c>Expect: 100-continue</c>: the server answers before the client has
    /// sent it all, so it must drain the rest or the client sees a broken pipe instead of the 413.
    /// </summary>
    [Fact]
    public async Task Run_BodyOverLimit_Returns413Code3006()
    {
        using HttpClient client = host.CreateClient();
        string body = "{\"prompt\":\"" + new string('a', 4 * 1024 * 1024) + "\"}";

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(Tiny), ApiAssert.Json(body));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, 3006, "Request is too large: the body may be at most 1048576 bytes", exact: true);
    }

    [Fact]
    public async Task Run_ChunkedBodyOverLimit_Returns413Code3006()
    {
        using HttpClient client = host.CreateClient();
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes("{\"prompt\":\"" + new string('a', 4 * 1024 * 1024) + "\"}");
        using var content = new StreamContent(new UnseekableStream(bytes));

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(Tiny), content);

        await ApiAssert.ErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, 3006);
    }

    [Fact]
    public async Task Run_EmptyBody_Returns400Code3003()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(Tiny), new StringContent(string.Empty));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, 3003, "Request is missing headers or body: body", exact: true);
    }

    [Fact]
    public async Task Run_EveryResponse_HasRayIdHeader()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage ok = await client.PostAsync(ApiAssert.RunPath(Tiny), ApiAssert.Json("""{"prompt":"Hi","max_tokens":1}"""));
        using HttpResponseMessage bad = await client.PostAsync(ApiAssert.RunPath(Tiny), ApiAssert.Json("{"));
        using HttpResponseMessage missing = await client.GetAsync("nope");

        string[] rays = new[] { ok, bad, missing }.Select(response => Assert.Single(response.Headers.GetValues("cf-ray"))).ToArray();
        Assert.All(rays, ray => Assert.Matches("^[0-9a-f]{16}-EMB$", ray));
        Assert.Equal(3, rays.Distinct().Count());
    }

    /// <summary>A stream without a length, so the client sends the body chunked.</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
