using Ember.Host.Catalog;
using Ember.Runtime.Generation;
using Ember.Runtime.Pool;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Ember.Host.Tests.Infrastructure;

/// <summary>
/// The one place that decides which runtime the main test host (<see cref="EmberHostFixture"/>) runs: the real
/// runtime serving Ember's tiny model, written (every variant) into the fixture's folder on first start.
/// </summary>
/// <remarks>
/// To develop the host against the scripted runtime instead, make <see cref="Use"/> call
/// <see cref="UseScripted"/> with a new <see cref="ScriptedTextGeneration"/> and <see cref="FakeModelPool"/>.
/// </remarks>
public static class TestRuntime
{
    /// <summary>The runtime configuration of the main host: <c>@ember/tiny-llama</c>, int8, generated if missing.</summary>
    public const string ConfigJson = """
        {
          "Ember": {
            "Models": {
              "@ember/tiny-llama": {
                "Folder": "tiny-llama/int8",
                "Variant": "Int8",
                "Generate": "tiny",
                "SequenceCap": 4,
                "PrefixCaching": false
              }
            }
          }
        }
        """;

    /// <summary>Configures the runtime of the main test host.</summary>
    /// <param name="builder">The host builder, made with a <c>--config</c> holding <see cref="ConfigJson"/>.</param>
    public static void Use(WebApplicationBuilder builder) => EmberHost.AddRuntime(builder);

    /// <summary>Installs the scripted runtime (used by the fault-injection and token-less hosts).</summary>
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
