using System.Net;
using System.Text;
using Ember.Host.Tests.Infrastructure;
using Ember.Models.Catalog;

namespace Ember.Host.Tests.Validation;

/// <summary>Malformed run bodies: every one is a 4xx envelope whose message names the field and the rule, never a 500.</summary>
[Collection(EmberHostCollectionDefinition.Name)]
public sealed class RunRequestValidationTests(EmberHostFixture host)
{
    [Theory]
    // The body as a whole.
    [InlineData("[]", "body: must be a JSON object")]
    [InlineData("\"hi\"", "body: must be a JSON object")]
    [InlineData("null", "body: must be a JSON object")]
    [InlineData("42", "body: must be a JSON object")]
    [InlineData("{}", "prompt: is required (or messages)")]
    [InlineData("""{"prompt":null,"messages":null}""", "prompt: is required (or messages)")]
    [InlineData("""{"prompt":"a","messages":[{"role":"user","content":"b"}]}""", "body: must have exactly one of prompt and messages, not both")]
    // prompt.
    [InlineData("""{"prompt":""}""", "prompt: must be a string of 1 to 131072 characters")]
    [InlineData("""{"prompt":42}""", "prompt: must be a string")]
    [InlineData("""{"prompt":["a"]}""", "prompt: must be a string")]
    [InlineData("""{"prompt":{"text":"a"}}""", "prompt: must be a string")]
    [InlineData("""{"prompt":true}""", "prompt: must be a string")]
    [InlineData("""{"prompt":"\ud800"}""", "prompt: must be valid Unicode text (it has an unpaired surrogate escape)")]
    // max_tokens.
    [InlineData("""{"prompt":"a","max_tokens":"10"}""", "max_tokens: must be an integer from 1 to 1024")]
    [InlineData("""{"prompt":"a","max_tokens":0}""", "max_tokens: must be an integer from 1 to 1024")]
    [InlineData("""{"prompt":"a","max_tokens":-1}""", "max_tokens: must be an integer from 1 to 1024")]
    [InlineData("""{"prompt":"a","max_tokens":1.5}""", "max_tokens: must be an integer from 1 to 1024")]
    [InlineData("""{"prompt":"a","max_tokens":1e400}""", "max_tokens: must be an integer from 1 to 1024")]
    [InlineData("""{"prompt":"a","max_tokens":99999999999999999999999999999}""", "max_tokens: must be an integer from 1 to 1024")]
    [InlineData("""{"prompt":"a","max_tokens":true}""", "max_tokens: must be an integer from 1 to 1024")]
    // Booleans.
    [InlineData("""{"prompt":"a","stream":"true"}""", "stream: must be a boolean")]
    [InlineData("""{"prompt":"a","stream":1}""", "stream: must be a boolean")]
    [InlineData("""{"prompt":"a","raw":"no"}""", "raw: must be a boolean")]
    // Sampling ranges.
    [InlineData("""{"prompt":"a","temperature":5.01}""", "temperature: must be a number from 0 to 5")]
    [InlineData("""{"prompt":"a","temperature":-0.1}""", "temperature: must be a number from 0 to 5")]
    [InlineData("""{"prompt":"a","temperature":"0.5"}""", "temperature: must be a number from 0 to 5")]
    [InlineData("""{"prompt":"a","top_p":2.5}""", "top_p: must be a number from 0 to 2")]
    [InlineData("""{"prompt":"a","top_k":0}""", "top_k: must be an integer from 1 to 50")]
    [InlineData("""{"prompt":"a","top_k":51}""", "top_k: must be an integer from 1 to 50")]
    [InlineData("""{"prompt":"a","top_k":2.5}""", "top_k: must be an integer from 1 to 50")]
    [InlineData("""{"prompt":"a","seed":0}""", "seed: must be an integer from 1 to 9999999999")]
    [InlineData("""{"prompt":"a","seed":10000000000}""", "seed: must be an integer from 1 to 9999999999")]
    [InlineData("""{"prompt":"a","repetition_penalty":3}""", "repetition_penalty: must be a number greater than 0 and at most 2")]
    [InlineData("""{"prompt":"a","repetition_penalty":0}""", "repetition_penalty: must be a number greater than 0 and at most 2")]
    [InlineData("""{"prompt":"a","frequency_penalty":-1}""", "frequency_penalty: must be a number from 0 to 2")]
    [InlineData("""{"prompt":"a","presence_penalty":2.1}""", "presence_penalty: must be a number from 0 to 2")]
    // options.
    [InlineData("""{"prompt":"a","options":true}""", "options: must be an object")]
    [InlineData("""{"prompt":"a","options":{"rejectIfBusy":"yes"}}""", "options.rejectIfBusy: must be a boolean")]
    // messages.
    [InlineData("""{"messages":[]}""", "messages: must be a non-empty array of {role, content} objects")]
    [InlineData("""{"messages":"hi"}""", "messages: must be a non-empty array of {role, content} objects")]
    [InlineData("""{"messages":["hi"]}""", "messages[0]: must be an object with role and content")]
    [InlineData("""{"messages":[{"content":"x"}]}""", "messages[0].role: is required")]
    [InlineData("""{"messages":[{"role":"wizard","content":"x"}]}""", "messages[0].role: must be one of \"system\", \"user\", \"assistant\", \"tool\"")]
    [InlineData("""{"messages":[{"role":"User","content":"x"}]}""", "messages[0].role: must be one of \"system\", \"user\", \"assistant\", \"tool\"")]
    [InlineData("""{"messages":[{"role":"function","content":"x"}]}""", "messages[0].role: must be one of \"system\", \"user\", \"assistant\", \"tool\"")]
    [InlineData("""{"messages":[{"role":1,"content":"x"}]}""", "messages[0].role: must be one of \"system\", \"user\", \"assistant\", \"tool\"")]
    [InlineData("""{"messages":[{"role":"user"}]}""", "messages[0].content: is required")]
    [InlineData("""{"messages":[{"role":"user","content":5}]}""", "messages[0].content: must be a string")]
    [InlineData("""{"messages":[{"role":"user","content":"a"},{"role":"user","content":null}]}""", "messages[1].content: is required")]
    [InlineData("""{"messages":[{"role":"user","content":[{"type":"text","text":"a"}]}]}""", "messages[0].content: must be a string")]
    public async Task Run_InvalidBody_Returns400Code5006NamingField(string body, string message)
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(ModelCatalog.TinyLlamaId), ApiAssert.Json(body));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, 5006, message, exact: true);
    }

    [Theory]
    [InlineData("{", "body: is not valid JSON: ")]
    [InlineData("""{"prompt":"a",}""", "body: is not valid JSON: ")]
    [InlineData("""{"prompt":"a"} x""", "body: is not valid JSON: ")]
    [InlineData("""{"prompt":"a" /* c */}""", "body: is not valid JSON: ")]
    [InlineData("""{"prompt":'a'}""", "body: is not valid JSON: ")]
    [InlineData("""{"prompt":"a","max_tokens":NaN}""", "body: is not valid JSON: ")]
    public async Task Run_MalformedJson_Returns400Code5006WithPosition(string body, string prefix)
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(ModelCatalog.TinyLlamaId), ApiAssert.Json(body));

        string message = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, 5006, prefix);
        Assert.StartsWith(prefix, message, StringComparison.Ordinal);
        Assert.Matches(@"\(line \d+, byte \d+\)$", message);
    }

    [Fact]
    public async Task Run_DuplicateProperty_Returns400Code5006()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(ModelCatalog.TinyLlamaId), ApiAssert.Json("""{"prompt":"a","prompt":"b"}"""));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, 5006, "body: is not valid JSON: Duplicate property 'prompt'");
    }

    [Fact]
    public async Task Run_NestingDeeperThan64_Returns400Code5006()
    {
        using HttpClient client = host.CreateClient();
        string body = "{\"prompt\":\"a\",\"x\":" + new string('[', 64) + new string(']', 64) + "}";

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(ModelCatalog.TinyLlamaId), ApiAssert.Json(body));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, 5006, "depth of 64");
    }

    [Fact]
    public async Task Run_Nesting64Deep_IsAccepted()
    {
        using HttpClient client = host.CreateClient();
        string body = "{\"prompt\":\"a\",\"max_tokens\":1,\"x\":" + new string('[', 63) + new string(']', 63) + "}";

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(ModelCatalog.TinyLlamaId), ApiAssert.Json(body));

        await ApiAssert.SuccessAsync(response);
    }

    [Fact]
    public async Task Run_InvalidUtf8_Returns400Code5006()
    {
        using HttpClient client = host.CreateClient();
        byte[] body = [.. "{\"prompt\":\""u8, 0xC3, 0x28, 0xFF, .. "\"}"u8];
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(ModelCatalog.TinyLlamaId), content);

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, 5006, "body: is not valid UTF-8", exact: true);
    }

    [Fact]
    public async Task Run_PromptOverMaxLength_Returns400Code5006()
    {
        using HttpClient client = host.CreateClient();
        string body = "{\"prompt\":\"" + new string('a', 131073) + "\"}";

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(ModelCatalog.TinyLlamaId), ApiAssert.Json(body));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, 5006, "prompt: must be a string of 1 to 131072 characters", exact: true);
    }

    [Fact]
    public async Task Run_ContentOverMaxLength_Returns400Code5006()
    {
        using HttpClient client = host.CreateClient();
        string body = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('a', 131073) + "\"}]}";

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(ModelCatalog.TinyLlamaId), ApiAssert.Json(body));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, 5006, "messages[0].content: must be a string of at most 131072 characters", exact: true);
    }

    [Fact]
    public async Task Run_UnknownModelWithBadBody_ReportsModelFirst()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath("@cf/none/such"), new StringContent("{", Encoding.UTF8));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, 5007);
    }
}
