namespace Ember.Models.Lora;

/// <summary>One tensor of a safetensors file, its values widened to float32.</summary>
/// <param name="Name">The tensor's name in the header.</param>
/// <param name="DType">Its stored type: <c>F32</c>, <c>F16</c> or <c>BF16</c>.</param>
/// <param name="Shape">Its dimensions.</param>
/// <param name="Values">Its values, row-major.</param>
public sealed record SafetensorsTensor(string Name, string DType, long[] Shape, float[] Values);
