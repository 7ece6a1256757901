namespace Ember.Models.Onnx;

/// <summary>The ONNX <c>TensorProto.DataType</c> values that Ember's graphs use.</summary>
internal enum OnnxDataType
{
    /// <summary>32-bit float.</summary>
    Float = 1,

    /// <summary>Unsigned 8-bit integer (packed quantized weights).</summary>
    UInt8 = 2,

    /// <summary>Signed 8-bit integer (a quantized KV cache).</summary>
    Int8 = 3,

    /// <summary>32-bit signed integer.</summary>
    Int32 = 6,

    /// <summary>64-bit signed integer.</summary>
    Int64 = 7,

    /// <summary>IEEE half-precision float.</summary>
    Float16 = 10,
}
