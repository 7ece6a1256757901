using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Ember.Models.Onnx;

/// <summary>
/// A minimal protocol-buffers encoder: just the wire types that ONNX's <c>ModelProto</c> needs
/// (varint, 64-bit, length-delimited and 32-bit fields).
/// </summary>
/// <remarks>Not thread-safe; one writer builds one message.</remarks>
internal sealed class ProtoWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new();

    /// <summary>Writes a varint field (int32, int64, enum, bool).</summary>
    public void WriteInt64(int field, long value)
    {
        WriteTag(field, 0);
        WriteVarint(unchecked((ulong)value));
    }

    /// <summary>Writes a 32-bit float field.</summary>
    public void WriteFloat(int field, float value)
    {
        WriteTag(field, 5);
        BinaryPrimitives.WriteSingleLittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    /// <summary>Writes a UTF-8 string field.</summary>
    public void WriteString(int field, string value) => WriteBytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>Writes a bytes field.</summary>
    public void WriteBytes(int field, ReadOnlySpan<byte> value)
    {
        WriteTag(field, 2);
        WriteVarint((ulong)value.Length);
        _buffer.Write(value);
    }

    /// <summary>Writes bytes that already encode whole fields (a field copied as it was read).</summary>
    public void WriteRaw(ReadOnlySpan<byte> fields) => _buffer.Write(fields);

    /// <summary>Writes an embedded message field.</summary>
    public void WriteMessage(int field, ProtoWriter message) => WriteBytes(field, message.ToArray());

    /// <summary>Writes a packed repeated varint field.</summary>
    public void WritePackedInt64(int field, IEnumerable<long> values)
    {
        var packed = new ProtoWriter();
        foreach (var value in values)
        {
            packed.WriteVarint(unchecked((ulong)value));
        }

        WriteBytes(field, packed.ToArray());
    }

    /// <summary>Writes a packed repeated float field.</summary>
    public void WritePackedFloat(int field, IReadOnlyList<float> values)
    {
        var bytes = new byte[values.Count * 4];
        for (var i = 0; i < values.Count; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        WriteBytes(field, bytes);
    }

    /// <summary>The encoded message.</summary>
    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    private void WriteTag(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

    private void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.Write([(byte)(value | 0x80)]);
            value >>= 7;
        }

        _buffer.Write([(byte)value]);
    }
}
