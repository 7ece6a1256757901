using Ember.Models.Lora;
using Ember.Models.Writing;
using Microsoft.AspNetCore.Builder;

namespace Ember.Host.Tests.Infrastructure;

/// <summary>
/// A host of its own for the LoRA tests: the real runtime serving <c>@ember/tiny-llama</c> (fp32, written into the
/// fixture's folder) with two random PEFT adapters declared in runtime.json, "wide" (rank 8 on q/k/v/o) and "narrow"
/// (rank 4 on q/v).
/// </summary>
public sealed class LoraHostFixture : HostFixture
{
    /// <summary>Writes the adapters the configuration names.</summary>
    public LoraHostFixture()
    {
        var shape = LoraTargetShape.From(LlamaShape.Tiny);
        RandomLoraAdapter.Write(Path.Combine(Folder, "adapters", "wide"), shape, 8, Enum.GetValues<LoraProjection>(), seed: 11);
        RandomLoraAdapter.Write(Path.Combine(Folder, "adapters", "narrow"), shape, 4, [LoraProjection.Query, LoraProjection.Value], seed: 12, strength: 2f);
    }

    /// <inheritdoc />
    protected override string ConfigJson => """
        {
          "Ember": {
            "Models": {
              "@ember/tiny-llama": {
                "Folder": "tiny-llama/fp32",
                "Variant": "Fp32",
                "Generate": "tiny",
                "SequenceCap": 4,
                "Lora": { "Adapters": { "wide": "adapters/wide", "narrow": "adapters/narrow" } }
              }
            }
          }
        }
        """;

    /// <inheritdoc />
    protected override void Configure(WebApplicationBuilder builder) => TestRuntime.Use(builder);
}
