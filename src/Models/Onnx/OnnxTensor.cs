using System.Runtime.InteropServices;

namespace Ember.Models.Onnx;

/// <summary>A constant tensor (an initializer), held as little-endian raw bytes.</summary>
internal sealed class OnnxTensor
{
    private OnnxTensor(string name, OnnxDataType dataType, long[] dims, byte[] rawData)
    {
        Name = name;
        DataType = dataType;
        Dims = dims;
        RawData = rawData;
    }

    /// <summary>The tensor's name in the graph.</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public OnnxDataType DataType { get; }

    /// <summary>The shape.</summary>
    public IReadOnlyList<long> Dims { get; }

    /// <summary>The elements, little-endian.</summary>
    public byte[] RawData { get; }

    /// <summary>A float tensor.</summary>
    public static OnnxTensor Float(string name, long[] dims, ReadOnlySpan<float> values) =>
        new(name, OnnxDataType.Float, dims, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>A half-precision tensor converted from floats.</summary>
    public static OnnxTensor Float16(string name, long[] dims, ReadOnlySpan<float> values)
    {
        var halves = new Half[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            halves[i] = (Half)values[i];
        }

        return new(name, OnnxDataType.Float16, dims, MemoryMarshal.AsBytes(halves.AsSpan()).ToArray());
    }

    /// <summary>A uint8 tensor.</summary>
    public static OnnxTensor UInt8(string name, long[] dims, byte[] values) => new(name, OnnxDataType.UInt8, dims, values);

    /// <summary>An int64 tensor.</summary>
    public static OnnxTensor Int64(string name, long[] dims, ReadOnlySpan<long> values) =>
        new(name, OnnxDataType.Int64, dims, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>Encodes the tensor as a <c>TensorProto</c>.</summary>
    public ProtoWriter ToProto()
    {
        var proto = new ProtoWriter();
        proto.WritePackedInt64(1, Dims);
        proto.WriteInt64(2, (int)DataType);
        proto.WriteString(8, Name);
        proto.WriteBytes(9, RawData);
        return proto;
    }
}
