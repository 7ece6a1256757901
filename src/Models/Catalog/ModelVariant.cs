using System.Diagnostics.CodeAnalysis;

namespace Ember.Models.Catalog;

/// <summary>
/// The numeric precision of one exported form of a model's weights (one ONNX Runtime GenAI model folder).
/// </summary>
/// <remarks>
/// The 7B models of the 2023 catalog come as <see cref="Fp16"/>, <see cref="Int8"/> and <see cref="Int4"/>
/// (int4 is the form the DirectML build uses). <see cref="Fp32"/> exists for Ember's own tiny model only.
/// </remarks>
public enum ModelVariant
{
    /// <summary>32-bit floating point weights; only the tiny model is offered this way.</summary>
    Fp32,

    /// <summary>16-bit floating point weights.</summary>
    Fp16,

    /// <summary>8-bit integer quantized weights.</summary>
    [SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "Names the precision, as the model ids (llama-2-7b-chat-int8) do; not a type.")]
    Int8,

    /// <summary>4-bit integer quantized weights (the form used with DirectML).</summary>
    Int4,
}
