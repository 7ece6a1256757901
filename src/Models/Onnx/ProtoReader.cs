namespace Ember.Models.Onnx;

/// <summary>
/// A minimal protocol-buffers decoder over one message's bytes: each field's tag, and its value as a varint or as the
/// bytes of a length-delimited field; every other wire type is skipped.
/// </summary>
/// <remarks>A cursor over a span; not thread-safe.</remarks>
internal ref struct ProtoReader
{
    private readonly ReadOnlySpan<byte> _bytes;

    /// <summary>Reads <paramref name="bytes"/> from its start.</summary>
    public ProtoReader(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    /// <summary>The offset of the next field.</summary>
    public int Position { get; private set; }

    /// <summary>Whether every field was read.</summary>
    public readonly bool End => Position >= _bytes.Length;

    /// <summary>Reads a field's tag.</summary>
    public (int Field, int Wire) ReadTag()
    {
        var tag = ReadVarint();
        return ((int)(tag >> 3), (int)(tag & 7));
    }

    /// <summary>Reads a varint value.</summary>
    /// <exception cref="InvalidDataException">The message ends inside it, or it is longer than ten bytes.</exception>
    public ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (Position >= _bytes.Length)
            {
                throw new InvalidDataException("The protobuf message ends inside a varint.");
            }

            var b = _bytes[Position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("A protobuf varint is longer than ten bytes.");
    }

    /// <summary>Reads a length-delimited field's bytes (a string, bytes or an embedded message).</summary>
    /// <exception cref="InvalidDataException">The length runs past the message's end.</exception>
    public ReadOnlySpan<byte> ReadBytes()
    {
        var length = ReadVarint();
        if (length > (ulong)(_bytes.Length - Position))
        {
            throw new InvalidDataException("A protobuf field runs past its message's end.");
        }

        var bytes = _bytes.Slice(Position, (int)length);
        Position += (int)length;
        return bytes;
    }

    /// <summary>Reads a string field (UTF-8).</summary>
    public string ReadString() => System.Text.Encoding.UTF8.GetString(ReadBytes());

    /// <summary>Skips a field's value of wire type <paramref name="wire"/>.</summary>
    /// <exception cref="InvalidDataException">The wire type is a group or unknown, or the value runs past the end.</exception>
    public void Skip(int wire)
    {
        switch (wire)
        {
            case 0:
                ReadVarint();
                break;
            case 1:
                Advance(8);
                break;
            case 2:
                ReadBytes();
                break;
            case 5:
                Advance(4);
                break;
            default:
                throw new InvalidDataException($"Protobuf wire type {wire} is not read.");
        }
    }

    /// <summary>The bytes from <paramref name="start"/> to the current position (a field as it was read, tag included).</summary>
    public readonly ReadOnlySpan<byte> Since(int start) => _bytes[start..Position];

    private void Advance(int count)
    {
        if (count > _bytes.Length - Position)
        {
            throw new InvalidDataException("A protobuf field runs past its message's end.");
        }

        Position += count;
    }
}
