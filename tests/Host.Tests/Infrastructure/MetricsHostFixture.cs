using Microsoft.AspNetCore.Builder;

namespace Ember.Host.Tests.Infrastructure;

/// <summary>
/// A host of its own for the metrics tests, serving the tiny model under <see cref="ModelId"/>, an id no other
/// test host serves: OpenTelemetry's exporter listens to every <c>Ember.Runtime</c> meter in the process (it does
/// not keep apart meters of different service providers), so only this id's samples are this host's alone. It
/// speculates (<c>SpeculativeTokens</c> 4), for the speculation counters.
/// </summary>
public sealed class MetricsHostFixture : HostFixture
{
    /// <summary>The model id the host serves.</summary>
    public const string ModelId = "@hf/codellama/codellama-7b-hf";

    /// <inheritdoc />
    protected override string ConfigJson => $$"""
        {
          "Ember": {
            "Models": {
              "{{ModelId}}": {
                "Folder": "tiny-llama/int8",
                "Variant": "Int8",
                "Generate": "tiny",
                "SequenceCap": 4,
                "SpeculativeTokens": 4,
                "Limits": { "ContextTokensLimit": 2048 }
              }
            }
          }
        }
        """;

    /// <inheritdoc />
    protected override void Configure(WebApplicationBuilder builder) => TestRuntime.Use(builder);
}
