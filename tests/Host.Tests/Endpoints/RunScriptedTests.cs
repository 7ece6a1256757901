using System.Net;
using System.Text;
using Ember.Host.Tests.Infrastructure;
using Ember.Models.Catalog;
using Ember.Models.Chat;
using Ember.Runtime.Generation;

namespace Ember.Host.Tests.Endpoints;

/// <summary>
/// <c>POST …/ai/run/{model}</c> on the scripted runtime: exact stream bytes, what reaches the runtime, and every
/// runtime failure's status, code and body, before and after the first byte.
/// </summary>
[Collection(ScriptedHostCollectionDefinition.Name)]
public sealed class RunScriptedTests(ScriptedHostFixture host)
{
    private static readonly string Tiny = ApiAssert.RunPath(ModelCatalog.TinyLlamaId);

    [Fact]
    public async Task Run_Stream_IsByteForByteWorkersAiFraming()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Tiny, ApiAssert.Json("""{"prompt":"Hi","stream":true}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.ToString());
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        const string expected =
            "data: {\"response\":\"Hello\"}\n\n" +
            "data: {\"response\":\",\"}\n\n" +
            "data: {\"response\":\" world\"}\n\n" +
            "data: {\"response\":\"!\"}\n\n" +
            "data: {\"response\":\"\",\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7,\"prompt_tokens_details\":{\"cached_tokens\":0}}}\n\n" +
            "data: [DONE]\n\n";
        Assert.Equal(Encoding.UTF8.GetBytes(expected), body);
    }

    [Fact]
    public async Task Run_StreamPieces_KeepTextUnescapedAndSkipEmptyPieces()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Tiny, ApiAssert.Json("""{"prompt":"#pieces:héllo||<b>&'\"|😀\n","stream":true}"""));

        string body = await response.Content.ReadAsStringAsync();
        // The relaxed encoder leaves BMP text as it is; characters outside it (the emoji) are written as escaped
        // surrogate pairs, which is valid JSON and decodes to the same text.
        Assert.Equal(
            "data: {\"response\":\"héllo\"}\n\n" +
            "data: {\"response\":\"<b>&'\\\"\"}\n\n" +
            "data: {\"response\":\"\\uD83D\\uDE00\\n\"}\n\n" +
            "data: {\"response\":\"\",\"usage\":{\"prompt_tokens\":26,\"completion_tokens\":4,\"total_tokens\":30,\"prompt_tokens_details\":{\"cached_tokens\":0}}}\n\n" +
            "data: [DONE]\n\n",
            body);
    }

    [Fact]
    public async Task Run_Body_ReachesTheRuntimeWithItsRangesCheckedAgainstTheServedLimits()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Tiny, ApiAssert.Json("""{"prompt":"Hi","temperature":4.5,"max_tokens":7}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        (string modelId, TextGenerationRequest request) = host.Generation.Last;
        Assert.Equal((ModelCatalog.TinyLlamaId, 4.5, 7), (modelId, request.Temperature!.Value, request.MaxTokens!.Value));
        Assert.Same(ModelCatalog.Get(ModelCatalog.TinyLlamaId).Limits, request.RangesCheckedAgainst);
    }

    [Fact]
    public async Task Run_Whole_IsExactEnvelope()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Tiny, ApiAssert.Json("""{"prompt":"Hi"}"""));

        Assert.Equal(
            """{"result":{"response":"Hello, world!","usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7,"prompt_tokens_details":{"cached_tokens":0}}},"success":true,"errors":[],"messages":[]}""",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Run_Fields_ReachRuntime()
    {
        using HttpClient client = host.CreateClient();
        const string body = """
            {"messages":[{"role":"system","content":"Be brief"},{"role":"user","content":"Hi"},{"role":"assistant","content":""},{"role":"user","content":"Again"}],
             "max_tokens":5,"raw":true,"temperature":0.25,"top_p":0.5,"top_k":7,"seed":9999999999,"repetition_penalty":1.2,"options":{"rejectIfBusy":true}}
            """;

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath("%40ember%2Ftiny-llama"), ApiAssert.Json(body));

        await ApiAssert.SuccessAsync(response);
        (string model, TextGenerationRequest request) = host.Generation.Last;
        Assert.Equal(ModelCatalog.TinyLlamaId, model);
        Assert.Null(request.Prompt);
        Assert.Equal(
            [new ChatMessage(ChatRole.System, "Be brief"), new ChatMessage(ChatRole.User, "Hi"), new ChatMessage(ChatRole.Assistant, string.Empty), new ChatMessage(ChatRole.User, "Again")],
            request.Messages);
        Assert.False(request.Stream);
        Assert.Equal(5, request.MaxTokens);
        Assert.True(request.Raw);
        Assert.Equal(0.25, request.Temperature);
        Assert.Equal(0.5, request.TopP);
        Assert.Equal(7, request.TopK);
        Assert.Equal(9999999999, request.Seed);
        Assert.Equal(1.2, request.RepetitionPenalty);
        Assert.True(request.RejectIfBusy);
    }

    [Fact]
    public async Task Run_AbsentFields_ReachRuntimeAsDefaults()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Tiny, ApiAssert.Json("""{"prompt":"Hi","max_tokens":2.0}"""));

        await ApiAssert.SuccessAsync(response);
        TextGenerationRequest request = host.Generation.Last.Request;
        Assert.Equal("Hi", request.Prompt);
        Assert.Equal(2, request.MaxTokens);
        Assert.Null(request.Temperature);
        Assert.Null(request.TopP);
        Assert.Null(request.TopK);
        Assert.Null(request.Seed);
        Assert.Null(request.RepetitionPenalty);
        Assert.False(request.Raw);
        Assert.False(request.RejectIfBusy);
    }

    [Theory]
    [InlineData("#busy", false, HttpStatusCode.TooManyRequests, 3040, "Capacity temporarily exceeded, please try again.")]
    [InlineData("#busy", true, HttpStatusCode.TooManyRequests, 3040, "Capacity temporarily exceeded, please try again.")]
    [InlineData("#full", false, HttpStatusCode.OK, 0, null)]
    [InlineData("#timeout", false, HttpStatusCode.RequestTimeout, 3007, "Request timeout")]
    [InlineData("#timeout", true, HttpStatusCode.RequestTimeout, 3007, "Request timeout")]
    [InlineData("#cancelled", false, HttpStatusCode.RequestTimeout, 3008, "Request was aborted")]
    [InlineData("#crash", false, HttpStatusCode.InternalServerError, 3043, "Internal server error")]
    [InlineData("#crash", true, HttpStatusCode.InternalServerError, 3043, "Internal server error")]
    [InlineData("#badinput", false, HttpStatusCode.BadRequest, 5006, "messages: the last message must be from the user")]
    public async Task Run_RuntimeFailureBeforeOutput_ReturnsEnvelopeWithStatus(string prompt, bool stream, HttpStatusCode status, int code, string? message)
    {
        using HttpClient client = host.CreateClient();
        string body = $$"""{"prompt":"{{prompt}}","stream":{{(stream ? "true" : "false")}}}""";

        using HttpResponseMessage response = await client.PostAsync(Tiny, ApiAssert.Json(body));

        if (status == HttpStatusCode.OK)
        {
            await ApiAssert.SuccessAsync(response);
            return;
        }

        string actual = await ApiAssert.ErrorAsync(response, status, code, message, exact: true);
        Assert.DoesNotContain(ScriptedTextGeneration.SecretDetail, actual, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_RejectIfBusyWhenFull_Returns429Code3040()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Tiny, ApiAssert.Json("""{"prompt":"#full","options":{"rejectIfBusy":true}}"""));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.TooManyRequests, 3040, "Capacity temporarily exceeded, please try again.", exact: true);
    }

    [Fact]
    public async Task Run_StreamFailsAfterFirstByte_SendsErrorEventAndEnds()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Tiny, ApiAssert.Json("""{"prompt":"#midstream","stream":true}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            "data: {\"response\":\"Hello\"}\n\n" +
            "data: {\"response\":\",\"}\n\n" +
            "data: {\"error\":{\"code\":3007,\"message\":\"Request timeout\"}}\n\n",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Run_StreamCrashesAfterFirstByte_SendsGenericErrorEvent()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Tiny, ApiAssert.Json("""{"prompt":"#midcrash","stream":true}"""));

        string body = await response.Content.ReadAsStringAsync();
        Assert.EndsWith("data: {\"error\":{\"code\":3043,\"message\":\"Internal server error\"}}\n\n", body, StringComparison.Ordinal);
        Assert.DoesNotContain(ScriptedTextGeneration.SecretDetail, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WholeFailsMidGeneration_ReturnsEnvelope()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Tiny, ApiAssert.Json("""{"prompt":"#midstream"}"""));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.RequestTimeout, 3007, "Request timeout", exact: true);
    }

    [Fact]
    public async Task Run_MaxTokensCutsAnswer()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(Tiny, ApiAssert.Json("""{"prompt":"Hi","max_tokens":2}"""));

        Assert.Equal(
            """{"result":{"response":"Hello,","usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5,"prompt_tokens_details":{"cached_tokens":0}}},"success":true,"errors":[],"messages":[]}""",
            await response.Content.ReadAsStringAsync());
    }
}
