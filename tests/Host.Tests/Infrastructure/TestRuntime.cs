using Ember.Runtime.Generation;
using Ember.Runtime.Pool;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Ember.Host.Tests.Infrastructure;

/// <summary>
/// The one place that decides which runtime the main test host (<see cref="EmberHostFixture"/>) runs.
/// </summary>
/// <remarks>
/// Until the runtime is merged this installs the scripted fake. Once <c>AddEmberRuntime</c> exists,
/// <see cref="Use"/> becomes: write the tiny model to <paramref name="modelRoot"/> and point the <c>Ember</c>
/// configuration at it (the host's <c>CreateBuilder</c> registers the real runtime itself).
/// </remarks>
public static class TestRuntime
{
    /// <summary>Configures the runtime of a test host.</summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="modelRoot">A temporary folder for model files.</param>
    public static void Use(WebApplicationBuilder builder, string modelRoot)
    {
        ArgumentNullException.ThrowIfNull(builder);
        _ = modelRoot;
        UseScripted(builder, new ScriptedTextGeneration(), new FakeModelPool());
    }

    /// <summary>Installs the scripted runtime (also used by the fault-injection host).</summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="generation">The scripted generation.</param>
    /// <param name="pool">The readiness and inventory.</param>
    public static void UseScripted(WebApplicationBuilder builder, ScriptedTextGeneration generation, FakeModelPool pool)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IAiTextGeneration>(generation);
        builder.Services.AddSingleton<IModelReadiness>(pool);
        builder.Services.AddSingleton<IModelInventory>(pool);
    }
}
