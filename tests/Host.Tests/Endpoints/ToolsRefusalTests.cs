using System.Net;
using System.Text.Json;
using Ember.Host.Tests.Infrastructure;
using Ember.Models.Catalog;

namespace Ember.Host.Tests.Endpoints;

/// <summary>Tools the real runtime refuses, over HTTP on the tiny model: schema keywords outside the subset, and tools with structured output or a raw prompt; each 400 with 5006 in the API's own shape, naming the field.</summary>
[Collection(EmberHostCollectionDefinition.Name)]
public sealed class ToolsRefusalTests(EmberHostFixture host)
{
    private const string Good = """{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}""";
    private const string WithFormat = """{"type":"object","properties":{"when":{"type":"string","format":"date"}},"required":["when"],"additionalProperties":false}""";

    [Fact]
    public async Task ChatCompletions_SchemaKeywordOutsideTheSubset_NamesTheToolsParameters()
    {
        using HttpClient client = host.CreateClient();
        string body = """{"model":"@ember/tiny-llama","messages":[{"role":"user","content":"Hi"}],"tools":[{"type":"function","function":{"name":"a","parameters":""" + Good + """}},{"type":"function","function":{"name":"b","parameters":""" + WithFormat + "}}]}";

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.OpenAiPath("chat/completions"), ApiAssert.Json(body));

        JsonElement error = await ApiAssert.OpenAiErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", 5006);
        Assert.Equal(("tools[1].function.parameters (schema /properties/when): 'format' is not supported", "tools[1].function.parameters (schema /properties/when)"), (error.GetProperty("message").GetString(), error.GetProperty("param").GetString()));
    }

    [Fact]
    public async Task AiRun_SchemaKeywordOutsideTheSubset_IsTheEnvelopesError()
    {
        using HttpClient client = host.CreateClient();
        string body = $$"""{"messages":[{"role":"user","content":"Hi"}],"tools":[{"name":"b","parameters":{{WithFormat}}}]}""";

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(ModelCatalog.TinyLlamaId), ApiAssert.Json(body));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, 5006, "tools[0].function.parameters (schema /properties/when): 'format' is not supported");
    }

    [Theory]
    [InlineData("""{"type":"function","name":"b","parameters":__}""", "", "tools[0].parameters (schema /properties/when): 'format' is not supported")]
    [InlineData("""{"type":"function","name":"a"}""", ""","tool_choice":"none","text":{"format":{"type":"json_schema","name":"x","schema":__}}""", "text.format.schema: ")]
    public async Task Responses_SchemaKeywordOutsideTheSubset_NamesTheResponsesField(string tool, string extra, string message)
    {
        using HttpClient client = host.CreateClient();
        string body = $$"""{"model":"@ember/tiny-llama","input":"Hi","tools":[{{tool.Replace("__", WithFormat, StringComparison.Ordinal)}}]{{extra.Replace("__", WithFormat, StringComparison.Ordinal)}}}""";

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.OpenAiPath("responses"), ApiAssert.Json(body));

        JsonElement error = await ApiAssert.OpenAiErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", 5006);
        Assert.StartsWith(message, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.StartsWith(message.TrimEnd(':', ' ').Split(':')[0], error.GetProperty("param").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("'format' is not supported", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tools_WithResponseFormatOrRaw_AreRefusedNamingTheField()
    {
        using HttpClient client = host.CreateClient();
        const string Tools = """[{"type":"function","function":{"name":"a"}}]""";

        using HttpResponseMessage chat = await client.PostAsync(ApiAssert.OpenAiPath("chat/completions"), ApiAssert.Json($$"""{"model":"@ember/tiny-llama","messages":[{"role":"user","content":"Hi"}],"tools":{{Tools}},"response_format":{"type":"json_object"}""" + "}"));
        using HttpResponseMessage run = await client.PostAsync(ApiAssert.RunPath(ModelCatalog.TinyLlamaId), ApiAssert.Json($$"""{"prompt":"Hi","raw":true,"tools":{{Tools}}}"""));
        using HttpResponseMessage runFormat = await client.PostAsync(ApiAssert.RunPath(ModelCatalog.TinyLlamaId), ApiAssert.Json($$"""{"messages":[{"role":"user","content":"Hi"}],"tools":{{Tools}},"response_format":{"type":"json_object"}""" + "}"));

        JsonElement error = await ApiAssert.OpenAiErrorAsync(chat, HttpStatusCode.BadRequest, "invalid_request_error", 5006);
        Assert.Equal(("response_format: must be text (or absent) when the model may call tools; use tool_choice \"none\" or drop the tools", "response_format"), (error.GetProperty("message").GetString(), error.GetProperty("param").GetString()));
        await ApiAssert.ErrorAsync(run, HttpStatusCode.BadRequest, 5006, "tools: a raw prompt has no template to show them in; drop raw or the tools", exact: true);
        await ApiAssert.ErrorAsync(runFormat, HttpStatusCode.BadRequest, 5006, "response_format: must be text (or absent) when the model may call tools; use tool_choice \"none\" or drop the tools", exact: true);
    }
}
