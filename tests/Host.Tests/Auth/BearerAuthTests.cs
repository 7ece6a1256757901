using System.Net;
using System.Net.Http.Headers;
using Ember.Host.Tests.Infrastructure;
using Ember.Models.Catalog;

namespace Ember.Host.Tests.Auth;

/// <summary>Bearer tokens on a host that has one configured.</summary>
[Collection(ScriptedHostCollectionDefinition.Name)]
public sealed class BearerAuthTests(ScriptedHostFixture host)
{
    [Theory]
    [InlineData(null)]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Bearer wrong-token")]
    [InlineData("Bearer test-token-7f3")]
    [InlineData("Bearer test-token-7f3ab")]
    [InlineData("Basic dGVzdDp0ZXN0")]
    [InlineData("test-token-7f3a")]
    public async Task Run_WithoutValidToken_Returns401Code10000(string? authorization)
    {
        using HttpClient client = host.CreateClient(authenticated: false);
        using var request = new HttpRequestMessage(HttpMethod.Post, ApiAssert.RunPath(ModelCatalog.TinyLlamaId)) { Content = ApiAssert.Json("""{"prompt":"Hi"}""") };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using HttpResponseMessage response = await client.SendAsync(request);

        await ApiAssert.ErrorAsync(response, HttpStatusCode.Unauthorized, 10000, "Authentication error", exact: true);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Theory]
    [InlineData("Bearer test-token-7f3a")]
    [InlineData("bearer test-token-7f3a")]
    [InlineData("Bearer   test-token-7f3a  ")]
    public async Task Run_WithValidToken_Returns200(string authorization)
    {
        using HttpClient client = host.CreateClient(authenticated: false);
        using var request = new HttpRequestMessage(HttpMethod.Post, ApiAssert.RunPath(ModelCatalog.TinyLlamaId)) { Content = ApiAssert.Json("""{"prompt":"Hi"}""") };
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        using HttpResponseMessage response = await client.SendAsync(request);

        await ApiAssert.SuccessAsync(response);
    }

    [Fact]
    public async Task UnknownRoute_WithoutToken_Returns401()
    {
        using HttpClient client = host.CreateClient(authenticated: false);

        using HttpResponseMessage response = await client.GetAsync("client/v4/accounts/a/ai/nothing");

        await ApiAssert.ErrorAsync(response, HttpStatusCode.Unauthorized, 10000);
    }

    [Fact]
    public async Task OpenAi_WithoutToken_Returns401InOpenAiShape()
    {
        using HttpClient client = host.CreateClient(authenticated: false);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "nope");

        using HttpResponseMessage response = await client.GetAsync(ApiAssert.OpenAiPath("models"));

        await ApiAssert.OpenAiErrorAsync(response, HttpStatusCode.Unauthorized, "authentication_error", 10000, "Authentication error");
    }
}
