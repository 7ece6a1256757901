namespace Ember.Models.Lora;

/// <summary>One projection's pair of low-rank factors, as PEFT stores them.</summary>
/// <param name="A"><c>lora_A</c>: [rank, input features], row-major.</param>
/// <param name="B"><c>lora_B</c>: [output features, rank], row-major.</param>
public sealed record LoraWeights(float[] A, float[] B);
