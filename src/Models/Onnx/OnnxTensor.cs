using System.Globalization;
using System.Runtime.InteropServices;

namespace Ember.Models.Onnx;

/// <summary>
/// A constant tensor (an initializer): its little-endian bytes, either held (<see cref="Float"/> and the other
/// factories) or made only when the model is written (<see cref="Deferred"/>), so a multi-gigabyte model never sits
/// in memory whole.
/// </summary>
/// <remarks>Not thread-safe; a deferred tensor's bytes are made once, by <see cref="WriteData"/>.</remarks>
internal sealed class OnnxTensor
{
    private byte[]? _rawData;
    private Action<Stream>? _writeData;

    private OnnxTensor(string name, OnnxDataType dataType, long[] dims, long byteLength, byte[]? rawData, Action<Stream>? writeData)
    {
        Name = name;
        DataType = dataType;
        Dims = dims;
        ByteLength = byteLength;
        _rawData = rawData;
        _writeData = writeData;
    }

    /// <summary>The tensor's name in the graph.</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public OnnxDataType DataType { get; }

    /// <summary>The shape.</summary>
    public IReadOnlyList<long> Dims { get; }

    /// <summary>The size of the elements in bytes.</summary>
    public long ByteLength { get; }

    /// <summary>A float tensor.</summary>
    public static OnnxTensor Float(string name, long[] dims, ReadOnlySpan<float> values) => Held(name, OnnxDataType.Float, dims, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>A float16 tensor, from float values.</summary>
    public static OnnxTensor Float16(string name, long[] dims, ReadOnlySpan<float> values)
    {
        var halves = new Half[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            halves[i] = (Half)values[i];
        }

        return Held(name, OnnxDataType.Float16, dims, MemoryMarshal.AsBytes(halves.AsSpan()).ToArray());
    }

    /// <summary>A uint8 tensor.</summary>
    public static OnnxTensor UInt8(string name, long[] dims, byte[] values) => Held(name, OnnxDataType.UInt8, dims, values);

    /// <summary>An int32 tensor.</summary>
    public static OnnxTensor Int32(string name, long[] dims, ReadOnlySpan<int> values) => Held(name, OnnxDataType.Int32, dims, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>An int64 tensor.</summary>
    public static OnnxTensor Int64(string name, long[] dims, ReadOnlySpan<long> values) => Held(name, OnnxDataType.Int64, dims, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>
    /// A tensor whose <paramref name="byteLength"/> bytes <paramref name="writeData"/> writes when the model is written,
    /// and not before; it must write exactly that many.
    /// </summary>
    public static OnnxTensor Deferred(string name, OnnxDataType dataType, long[] dims, long byteLength, Action<Stream> writeData) =>
        new(name, dataType, dims, byteLength, null, writeData);

    /// <summary>Writes the elements to <paramref name="stream"/> and lets go of them (a tensor's data is written once).</summary>
    /// <exception cref="InvalidOperationException">The data was written already, or a deferred writer wrote another length.</exception>
    public void WriteData(Stream stream)
    {
        if (_rawData is { } raw)
        {
            stream.Write(raw);
        }
        else if (_writeData is { } write)
        {
            var start = stream.Position;
            write(stream);
            if (stream.Position - start != ByteLength)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Tensor '{Name}' wrote {stream.Position - start} bytes, not {ByteLength}."));
            }
        }
        else
        {
            throw new InvalidOperationException($"Tensor '{Name}' was written already.");
        }

        _rawData = null;
        _writeData = null;
    }

    /// <summary>The tensor as an ONNX <c>TensorProto</c> holding its elements (<c>raw_data</c>).</summary>
    public ProtoWriter ToProto()
    {
        var proto = Header();
        using var data = new MemoryStream(checked((int)ByteLength));
        WriteData(data);
        proto.WriteBytes(9, data.GetBuffer().AsSpan(0, (int)data.Length));
        return proto;
    }

    /// <summary>The tensor as an ONNX <c>TensorProto</c> whose elements are in <paramref name="location"/> at <paramref name="offset"/>.</summary>
    public ProtoWriter ToExternalProto(string location, long offset)
    {
        var proto = Header();
        proto.WriteMessage(13, Entry("location", location));
        proto.WriteMessage(13, Entry("offset", offset.ToString(CultureInfo.InvariantCulture)));
        proto.WriteMessage(13, Entry("length", ByteLength.ToString(CultureInfo.InvariantCulture)));
        proto.WriteInt64(14, 1);
        return proto;
    }

    private static OnnxTensor Held(string name, OnnxDataType dataType, long[] dims, byte[] data) => new(name, dataType, dims, data.Length, data, null);

    private static ProtoWriter Entry(string key, string value)
    {
        var entry = new ProtoWriter();
        entry.WriteString(1, key);
        entry.WriteString(2, value);
        return entry;
    }

    private ProtoWriter Header()
    {
        var proto = new ProtoWriter();
        proto.WritePackedInt64(1, Dims);
        proto.WriteInt64(2, (int)DataType);
        proto.WriteString(8, Name);
        return proto;
    }
}
