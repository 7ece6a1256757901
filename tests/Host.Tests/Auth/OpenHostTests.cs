using Ember.Host.Tests.Infrastructure;
using Ember.Models.Catalog;

namespace Ember.Host.Tests.Auth;

/// <summary>A host with no tokens configured serves loopback clients without authentication.</summary>
[Collection(OpenHostCollectionDefinition.Name)]
public sealed class OpenHostTests(OpenHostFixture host)
{
    [Fact]
    public async Task Run_NoTokensConfiguredOnLoopback_Returns200WithoutAuthorization()
    {
        using HttpClient client = host.CreateClient(authenticated: false);

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(ModelCatalog.TinyLlamaId), ApiAssert.Json("""{"prompt":"Hi"}"""));

        await ApiAssert.SuccessAsync(response);
    }

    [Fact]
    public async Task Run_NoTokensConfigured_AnyAuthorizationIsIgnored()
    {
        using HttpClient client = host.CreateClient(authenticated: true);

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(ModelCatalog.TinyLlamaId), ApiAssert.Json("""{"prompt":"Hi"}"""));

        await ApiAssert.SuccessAsync(response);
    }
}
