using System.Net;
using System.Text.Json;
using Ember.Host.Tests.Infrastructure;

namespace Ember.Host.Tests.Catalog;

/// <summary>
/// Catalog ids served from generated models around the real tokenizers, over HTTP: the catalog's template on the real
/// vocabulary (prompt tokens are the official template's text encoded as Hugging Face encodes it), and the catalog's limits.
/// </summary>
[Collection(RealModelsHostCollectionDefinition.Name)]
public sealed class RealModelsTests(RealModelsHostFixture host)
{
    private const string Llama2 = "@cf/meta/llama-2-7b-chat-int8";
    private const string Mistral = "@cf/mistral/mistral-7b-instruct-v0.1";

    // Prompt tokens of {system "You are a friendly assistant", user "Why is pizza so good?"}: Llama 2 renders
    // "<s>[INST] <<SYS>>\nYou are a friendly assistant\n<</SYS>>\n\nWhy is pizza so good? [/INST]"; Mistral v0.1 has no
    // system role, and Ember puts it before the user text: "<s>[INST] You are a friendly assistant\n\nWhy is pizza so good? [/INST]".
    // 33 and 21 are Hugging Face's counts for those texts (Tokenizers.DotNet, <s> written in the text, none added).
    [Theory]
    [InlineData(Llama2, 33)]
    [InlineData(Mistral, 21)]
    public async Task Run_Messages_PromptIsTheTemplateOnTheRealVocabulary(string model, int promptTokens)
    {
        using HttpClient client = host.CreateClient();
        const string body = """
            {"messages":[{"role":"system","content":"You are a friendly assistant"},{"role":"user","content":"Why is pizza so good?"}],"max_tokens":5,"temperature":0}
            """;

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(model), ApiAssert.Json(body));

        JsonElement result = await ApiAssert.SuccessAsync(response);
        Assert.Equal(promptTokens, result.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(5, result.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Run_OverTheCatalogsSequenceLimit_RefusedWithItsNumber()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(Llama2), ApiAssert.Json("""{"prompt":"Hi","max_tokens":1801}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("1800", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
