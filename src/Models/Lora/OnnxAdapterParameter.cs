namespace Ember.Models.Lora;

/// <summary>One parameter of an ONNX Runtime adapter file, its values widened to float32.</summary>
/// <param name="Name">The parameter's name: the graph input it feeds.</param>
/// <param name="DataType">Its stored type, as ONNX names it: <c>FLOAT</c>, <c>FLOAT16</c> or <c>BFLOAT16</c>.</param>
/// <param name="Dims">Its dimensions.</param>
/// <param name="Values">Its values, row-major.</param>
public sealed record OnnxAdapterParameter(string Name, string DataType, long[] Dims, float[] Values);
