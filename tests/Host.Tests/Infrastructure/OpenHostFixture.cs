using Microsoft.AspNetCore.Builder;

namespace Ember.Host.Tests.Infrastructure;

/// <summary>A host with no bearer tokens configured, on loopback: it must serve without authentication.</summary>
public sealed class OpenHostFixture : HostFixture
{
    /// <inheritdoc />
    protected override IEnumerable<string> Arguments() => [];

    /// <inheritdoc />
    protected override void Configure(WebApplicationBuilder builder) => TestRuntime.UseScripted(builder, new ScriptedTextGeneration(), new FakeModelPool());
}
