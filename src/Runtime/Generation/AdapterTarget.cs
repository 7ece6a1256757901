using Ember.Models.Lora;

namespace Ember.Runtime.Generation;

/// <summary>
/// What a LoRA adapter for a served model is checked against before it is added while the model runs: the sizes of the
/// model's attention projections, the limits every adapter is held to, and how many adapters the model serves at most.
/// </summary>
/// <param name="Shape">The projections' sizes.</param>
/// <param name="Limits">The rank and file size limits (<c>Lora:MaxRank</c>, <c>Lora:MaxBytes</c>).</param>
/// <param name="MaxAdapters">The most adapters served at once (<c>Lora:MaxAdapters</c>), those of runtime.json included.</param>
public sealed record AdapterTarget(LoraTargetShape Shape, LoraLimits Limits, int MaxAdapters);
