using Microsoft.AspNetCore.Builder;

namespace Ember.Host.Tests.Infrastructure;

/// <summary>
/// A host on the scripted runtime, always: drives the failures a real model cannot be made to produce on demand
/// (busy, timeout, crash, failure mid-stream) and gives exact pieces for byte-for-byte stream checks.
/// </summary>
public sealed class ScriptedHostFixture : HostFixture
{
    /// <summary>Gets the scripted runtime, to inspect the last request.</summary>
    public ScriptedTextGeneration Generation { get; } = new();

    /// <summary>Gets the readiness and inventory, to flip readiness.</summary>
    public FakeModelPool Pool { get; } = new();

    /// <inheritdoc />
    protected override void Configure(WebApplicationBuilder builder) => TestRuntime.UseScripted(builder, Generation, Pool);
}
