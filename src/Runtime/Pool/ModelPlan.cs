using Ember.Models.Catalog;
using Ember.Models.Lora;
using Ember.Runtime.Engine;
using Ember.Runtime.Options;

namespace Ember.Runtime.Pool;

/// <summary>What the pool knows of a configured model before loading it: its options, catalog entry, configuration file, served limits and, on the continuous scheduler, its decoder layout.</summary>
/// <param name="Id">The catalog id.</param>
/// <param name="Options">Its configuration.</param>
/// <param name="Entry">Its catalog entry.</param>
/// <param name="Config">Its <c>genai_config.json</c>, read once.</param>
/// <param name="Limits">The limits it is served with.</param>
/// <param name="Layout">The continuous decoder's layout; <see langword="null"/> on the wave scheduler.</param>
/// <param name="IntraOpThreads">ONNX Runtime's threads a replica (<see cref="ThreadBudget"/>); 0: ONNX Runtime's default.</param>
internal sealed record ModelPlan(string Id, ModelOptions Options, CatalogEntry Entry, ModelConfigFile Config, ModelLimits Limits, DecoderLayout? Layout, int IntraOpThreads = 0)
{
    /// <summary>The LoRA adapters it serves, loaded and checked against its layout; adapter j is the decoder's adapter j.</summary>
    public IReadOnlyList<LoraAdapter> Adapters { get; init; } = [];
}
