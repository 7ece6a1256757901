using System.Net;
using Ember.Host.Tests.Infrastructure;

namespace Ember.Host.Tests.Endpoints;

/// <summary>The probes: no token needed, readiness from the runtime.</summary>
[Collection(ScriptedHostCollectionDefinition.Name)]
public sealed class OpsEndpointsTests(ScriptedHostFixture host)
{
    [Fact]
    public async Task Healthz_WithoutToken_Returns200Ok()
    {
        using HttpClient client = host.CreateClient(authenticated: false);

        using HttpResponseMessage response = await client.GetAsync("healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        Assert.Matches("^[0-9a-f]{16}-EMB$", Assert.Single(response.Headers.GetValues("cf-ray")));
    }

    [Fact]
    public async Task Readyz_Ready_Returns200()
    {
        using HttpClient client = host.CreateClient(authenticated: false);
        host.Pool.IsReady = true;

        using HttpResponseMessage response = await client.GetAsync("readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"status":"ready"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readyz_Loading_Returns503()
    {
        using HttpClient client = host.CreateClient(authenticated: false);
        host.Pool.IsReady = false;
        try
        {
            using HttpResponseMessage response = await client.GetAsync("readyz");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("""{"status":"loading"}""", await response.Content.ReadAsStringAsync());
        }
        finally
        {
            host.Pool.IsReady = true;
        }
    }

    [Fact]
    public async Task Healthz_Post_Returns405Code7001()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync("healthz", ApiAssert.Json("{}"));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.MethodNotAllowed, 7001);
    }
}
