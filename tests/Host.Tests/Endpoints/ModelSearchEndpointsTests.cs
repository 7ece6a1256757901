using System.Net;
using System.Text.Json;
using Ember.Host.Catalog;
using Ember.Host.Tests.Infrastructure;
using Ember.Models.Catalog;

namespace Ember.Host.Tests.Endpoints;

/// <summary><c>models/search</c> and <c>models/schema</c> on the main host.</summary>
[Collection(EmberHostCollectionDefinition.Name)]
public sealed class ModelSearchEndpointsTests(EmberHostFixture host)
{
    private const string Search = "client/v4/accounts/acct123/ai/models/search";
    private const string Schema = "client/v4/accounts/acct123/ai/models/schema";

    [Fact]
    public async Task Search_NoFilter_ListsCatalogInCloudflareShape()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.GetAsync(Search);

        string text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using JsonDocument document = JsonDocument.Parse(text);
        JsonElement root = document.RootElement;
        Assert.Equal(["result", "success", "errors", "messages", "result_info"], root.EnumerateObject().Select(property => property.Name));
        Assert.Equal("""{"count":5,"page":1,"per_page":20,"total_count":5}""", root.GetProperty("result_info").GetRawText());
        JsonElement[] models = root.GetProperty("result").EnumerateArray().ToArray();
        Assert.Equal(ModelCatalog.All.Select(entry => entry.Id), models.Select(model => model.GetProperty("name").GetString()));
        JsonElement int8 = models[1];
        Assert.Equal(["id", "source", "name", "description", "task", "tags", "properties"], int8.EnumerateObject().Select(property => property.Name));
        Assert.Equal(ModelIdentity.For(ModelCatalog.Llama2ChatInt8Id).ToString(), int8.GetProperty("id").GetString());
        Assert.Equal(1, int8.GetProperty("source").GetInt32());
        Assert.Equal(ModelCatalog.Llama2ChatInt8.Description, int8.GetProperty("description").GetString());
        JsonElement task = int8.GetProperty("task");
        Assert.Equal("c329a1f9-323d-4e91-b2aa-582dd4188d34", task.GetProperty("id").GetString());
        Assert.Equal("Text Generation", task.GetProperty("name").GetString());
        Assert.False(string.IsNullOrEmpty(task.GetProperty("description").GetString()));
        Assert.Equal(0, int8.GetProperty("tags").GetArrayLength());
        Assert.Equal(
            """[{"property_id":"context_window","value":"2048"},{"property_id":"max_total_tokens","value":"2048"},{"property_id":"max_sequence_tokens","value":"1800"},{"property_id":"default_max_tokens","value":"256"},{"property_id":"default_max_tokens_stream","value":"1800"},{"property_id":"installed","value":"false"},{"property_id":"stop","value":"true"},{"property_id":"response_format","value":"false"},{"property_id":"lora","value":"false"}]""",
            int8.GetProperty("properties").GetRawText());
        Assert.Contains("""{"property_id":"installed","value":"true"}""", models[4].GetProperty("properties").GetRawText(), StringComparison.Ordinal);
        Assert.Contains("""{"property_id":"response_format","value":"true"}""", models[4].GetProperty("properties").GetRawText(), StringComparison.Ordinal);
        Assert.Contains("""{"property_id":"lora","value":"true"}""", models[4].GetProperty("properties").GetRawText(), StringComparison.Ordinal);
        Assert.Equal(2, models[3].GetProperty("source").GetInt32());
        Assert.Equal(3, models[4].GetProperty("source").GetInt32());
    }

    [Theory]
    [InlineData("?task=Text%20Generation", 5)]
    [InlineData("?task=text%20generation", 5)]
    [InlineData("?task=c329a1f9-323d-4e91-b2aa-582dd4188d34", 5)]
    [InlineData("?task=Text%20Embeddings", 0)]
    [InlineData("?search=llama-2", 2)]
    [InlineData("?search=MISTRAL", 1)]
    [InlineData("?search=discussing%20code", 1)]
    [InlineData("?search=nothing-matches", 0)]
    [InlineData("?task=Text%20Generation&search=tiny", 1)]
    public async Task Search_Filter_ReturnsMatches(string query, int count)
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.GetAsync(Search + query);

        JsonElement result = await ApiAssert.SuccessAsync(response);
        Assert.Equal(count, result.GetArrayLength());
    }

    [Fact]
    public async Task Search_Paging_SplitsCatalog()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage page2 = await client.GetAsync(Search + "?per_page=2&page=2");
        using HttpResponseMessage page3 = await client.GetAsync(Search + "?per_page=2&page=3");
        using HttpResponseMessage page4 = await client.GetAsync(Search + "?per_page=2&page=4");

        using JsonDocument second = JsonDocument.Parse(await page2.Content.ReadAsStringAsync());
        Assert.Equal([ModelCatalog.MistralInstructId, ModelCatalog.CodeLlamaId], second.RootElement.GetProperty("result").EnumerateArray().Select(model => model.GetProperty("name").GetString()));
        Assert.Equal("""{"count":2,"page":2,"per_page":2,"total_count":5}""", second.RootElement.GetProperty("result_info").GetRawText());
        using JsonDocument third = JsonDocument.Parse(await page3.Content.ReadAsStringAsync());
        Assert.Equal("""{"count":1,"page":3,"per_page":2,"total_count":5}""", third.RootElement.GetProperty("result_info").GetRawText());
        using JsonDocument fourth = JsonDocument.Parse(await page4.Content.ReadAsStringAsync());
        Assert.Equal(0, fourth.RootElement.GetProperty("result").GetArrayLength());
    }

    [Theory]
    [InlineData("?page=0", "page: must be an integer from 1 to 2147483647")]
    [InlineData("?page=abc", "page: must be an integer from 1 to 2147483647")]
    [InlineData("?page=-1", "page: must be an integer from 1 to 2147483647")]
    [InlineData("?page=99999999999", "page: must be an integer from 1 to 2147483647")]
    [InlineData("?per_page=0", "per_page: must be an integer from 1 to 100")]
    [InlineData("?per_page=101", "per_page: must be an integer from 1 to 100")]
    public async Task Search_BadPaging_Returns400Code5006(string query, string message)
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.GetAsync(Search + query);

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, 5006, message, exact: true);
    }

    [Fact]
    public async Task Schema_KnownModel_ReturnsInputAndOutputSchema()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.GetAsync(Schema + "?model=%40cf%2Fmeta%2Fllama-2-7b-chat-int8");

        JsonElement result = await ApiAssert.SuccessAsync(response);
        Assert.Equal(["input", "output"], result.EnumerateObject().Select(property => property.Name));
        JsonElement[] forms = result.GetProperty("input").GetProperty("oneOf").EnumerateArray().ToArray();
        Assert.Equal(2, forms.Length);
        Assert.Equal("""["prompt"]""", forms[0].GetProperty("required").GetRawText());
        Assert.Equal("""["messages"]""", forms[1].GetProperty("required").GetRawText());
        JsonElement maxTokens = forms[0].GetProperty("properties").GetProperty("max_tokens");
        Assert.Equal(1800, maxTokens.GetProperty("maximum").GetInt32());
        Assert.Equal(256, maxTokens.GetProperty("default").GetInt32());
        Assert.Equal(131072, forms[0].GetProperty("properties").GetProperty("prompt").GetProperty("maxLength").GetInt32());
        Assert.Equal(
            """["system","user","assistant"]""",
            forms[1].GetProperty("properties").GetProperty("messages").GetProperty("items").GetProperty("properties").GetProperty("role").GetProperty("enum").GetRawText());
        Assert.Equal(2, result.GetProperty("output").GetProperty("oneOf").GetArrayLength());
    }

    [Fact]
    public async Task Schema_UnknownModel_Returns400Code5007()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.GetAsync(Schema + "?model=@cf/none");

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, 5007, "No such model @cf/none or task", exact: true);
    }

    [Fact]
    public async Task Schema_NoModel_Returns400Code5006()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.GetAsync(Schema);

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, 5006, "model: is required", exact: true);
    }
}
