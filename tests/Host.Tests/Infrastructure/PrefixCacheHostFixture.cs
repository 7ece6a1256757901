using Microsoft.AspNetCore.Builder;

namespace Ember.Host.Tests.Infrastructure;

/// <summary>
/// A host of its own for the prefix-caching tests: the real runtime serving <c>@ember/tiny-llama</c> (int8, written
/// into the fixture's folder) with <c>PrefixCaching</c> on, as <see cref="Replicas"/> replicas of one slot each, so
/// that which tokens a replica keeps is exactly what the last request it served left there.
/// </summary>
public sealed class PrefixCacheHostFixture : HostFixture
{
    /// <summary>The number of replicas, each of one slot (<c>SequenceCap</c> 1).</summary>
    public const int Replicas = 2;

    /// <inheritdoc />
    protected override string ConfigJson => $$"""
        {
          "Ember": {
            "Models": {
              "@ember/tiny-llama": {
                "Folder": "tiny-llama/int8",
                "Variant": "Int8",
                "Generate": "tiny",
                "PrefixCaching": true,
                "Replicas": {{Replicas}},
                "SequenceCap": 1
              }
            }
          }
        }
        """;

    /// <inheritdoc />
    protected override void Configure(WebApplicationBuilder builder) => TestRuntime.Use(builder);
}
