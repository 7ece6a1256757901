using System.Net;
using System.Text.Json;
using Ember.Host.Tests.Infrastructure;

namespace Ember.Host.Tests.Validation;

/// <summary>OpenAI fields Ember does not honour: refused when they ask for something, accepted when they ask for nothing.</summary>
[Collection(EmberHostCollectionDefinition.Name)]
public sealed class OpenAiUnsupportedFieldsTests(EmberHostFixture host)
{
    private const string Chat = """{"model":"@ember/tiny-llama","messages":[{"role":"user","content":"hi"}],"max_tokens":2,""";
    private const string Completion = """{"model":"@ember/tiny-llama","prompt":"hi","max_tokens":2,""";

    [Theory]
    [InlineData(""" "functions":[{"name":"f"}]}""", "functions: must be empty or null: the deprecated functions are not supported; use tools")]
    [InlineData(""" "tool_choice":"required"}""", "tool_choice: needs tools")]
    [InlineData(""" "tool_choice":{"type":"function","function":{"name":"f"}}}""", "tool_choice: needs tools")]
    [InlineData(""" "function_call":{"name":"f"}}""", "function_call: must be \"none\", \"auto\" or null: the deprecated function_call is not supported; use tool_choice")]
    [InlineData(""" "response_format":"text"}""", "response_format: must be an object")]
    [InlineData(""" "logit_bias":{"50256":-100}}""", "logit_bias: must be empty or null: logit bias is not supported")]
    [InlineData(""" "modalities":["text","audio"]}""", "modalities: must be [\"text\"] or null: only text output is supported")]
    [InlineData(""" "audio":{"voice":"alloy","format":"mp3"}}""", "audio: must be null: audio output is not supported")]
    [InlineData(""" "web_search_options":{}}""", "web_search_options: must be null: web search is not supported")]
    public async Task ChatCompletions_FieldAskingForSomething_Returns400NamingIt(string rest, string message)
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.OpenAiPath("chat/completions"), ApiAssert.Json(Chat + rest));

        JsonElement error = await ApiAssert.OpenAiErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", 5006);
        Assert.Equal(message, error.GetProperty("message").GetString());
        Assert.Equal(message[..message.IndexOf(':', StringComparison.Ordinal)], error.GetProperty("param").GetString());
    }

    [Theory]
    [InlineData(""" "echo":true}""", "echo: must be false or null: echo is not supported")]
    [InlineData(""" "best_of":2}""", "best_of: must be 1 or null: best_of is not supported")]
    [InlineData(""" "suffix":"\ud800"}""", "suffix: must be empty or null: suffix is not supported")]
    [InlineData(""" "logit_bias":{"1":1}}""", "logit_bias: must be empty or null: logit bias is not supported")]
    public async Task Completions_FieldAskingForSomething_Returns400NamingIt(string rest, string message)
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.OpenAiPath("completions"), ApiAssert.Json(Completion + rest));

        JsonElement error = await ApiAssert.OpenAiErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", 5006);
        Assert.Equal(message, error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task ChatCompletions_EveryFieldAtItsDefault_IsServed()
    {
        using HttpClient client = host.CreateClient();
        const string defaults = """ "logprobs":false,"top_logprobs":0,"tools":[],"functions":null,"tool_choice":"auto","function_call":"none","response_format":{"type":"text"},"logit_bias":{},"modalities":["text"],"audio":null,"prediction":{"type":"content","content":"x"},"parallel_tool_calls":true,"user":"u1","store":false}""";

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.OpenAiPath("chat/completions"), ApiAssert.Json(Chat + defaults));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Completions_EveryFieldAtItsDefault_IsServed()
    {
        using HttpClient client = host.CreateClient();
        const string defaults = """ "logprobs":null,"echo":false,"best_of":1.0,"suffix":"","logit_bias":null}""";

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.OpenAiPath("completions"), ApiAssert.Json(Completion + defaults));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
