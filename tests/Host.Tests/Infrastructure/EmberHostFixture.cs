using Microsoft.AspNetCore.Builder;

namespace Ember.Host.Tests.Infrastructure;

/// <summary>The main test host: the runtime <see cref="TestRuntime"/> chooses, with a bearer token.</summary>
public sealed class EmberHostFixture : HostFixture
{
    /// <inheritdoc />
    protected override string ConfigJson => TestRuntime.ConfigJson;

    /// <inheritdoc />
    protected override void Configure(WebApplicationBuilder builder) => TestRuntime.Use(builder);
}
