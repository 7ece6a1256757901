using System.Net;
using System.Text.Json;
using Ember.Host.Tests.Infrastructure;

namespace Ember.Host.Tests.Endpoints;

/// <summary><see cref="Ember.Host.Endpoints.OpenAiModelsEndpoint"/> (<c>GET v1/models</c>) on the main host.</summary>
[Collection(EmberHostCollectionDefinition.Name)]
public sealed class OpenAiModelsEndpointTests(EmberHostFixture host)
{
    [Fact]
    public async Task Models_ListsInstalledModels()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.GetAsync(ApiAssert.OpenAiPath("models"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using JsonDocument document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("list", document.RootElement.GetProperty("object").GetString());
        JsonElement model = Assert.Single(document.RootElement.GetProperty("data").EnumerateArray().ToArray());
        Assert.Equal(
            """{"id":"@ember/tiny-llama","object":"model","created":1698796800,"owned_by":"ember"}""",
            model.GetRawText());
    }
}
