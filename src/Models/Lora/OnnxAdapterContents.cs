namespace Ember.Models.Lora;

/// <summary>What an ONNX Runtime adapter file holds: its versions and its parameters, in the file's order.</summary>
/// <param name="FormatVersion">The format's version (<see cref="OnnxAdapterFile.FormatVersion"/>).</param>
/// <param name="AdapterVersion">The adapter's own version, as its writer set it (informational).</param>
/// <param name="ModelVersion">The version of the model it was made for, as its writer set it (informational).</param>
/// <param name="Parameters">Its parameters.</param>
public sealed record OnnxAdapterContents(int FormatVersion, int AdapterVersion, int ModelVersion, IReadOnlyList<OnnxAdapterParameter> Parameters);
