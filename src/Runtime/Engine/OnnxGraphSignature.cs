using System.Text;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Ember.Runtime.Engine;

/// <summary>
/// The element types of an ONNX model's graph inputs and outputs, read from the file's protobuf without loading the
/// model: the scan follows <c>ModelProto.graph</c> and reads <c>GraphProto.input</c>/<c>output</c>, skipping every
/// other field (the initializers included) by its length, so a multi-gigabyte file costs a few reads.
/// </summary>
/// <remarks>Immutable once read.</remarks>
internal sealed class OnnxGraphSignature
{
    private const int ModelGraph = 7;
    private const int GraphInput = 11;
    private const int GraphOutput = 12;
    private const int ValueInfoName = 1;
    private const int ValueInfoType = 2;
    private const int TypeTensor = 1;
    private const int TensorElementTypeField = 1;

    private readonly Dictionary<string, TensorElementType> _types;

    private OnnxGraphSignature(Dictionary<string, TensorElementType> types) => _types = types;

    /// <summary>The element type of the graph input or output <paramref name="name"/>.</summary>
    /// <exception cref="InvalidDataException">The graph has no tensor of that name.</exception>
    public TensorElementType this[string name] =>
        _types.TryGetValue(name, out var type) ? type : throw new InvalidDataException($"The graph has no input or output named '{name}'.");

    /// <summary>Whether the graph has an input or output named <paramref name="name"/>.</summary>
    public bool Contains(string name) => _types.ContainsKey(name);

    /// <summary>Reads the signature of the model in <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not an ONNX model this scan understands.</exception>
    public static OnnxGraphSignature Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096);
        var types = new Dictionary<string, TensorElementType>(StringComparer.Ordinal);
        var end = stream.Length;
        while (stream.Position < end)
        {
            var (field, wire) = ReadTag(stream);
            if (field == ModelGraph && wire == 2)
            {
                var length = (long)ReadVarint(stream);
                ReadGraph(stream, stream.Position + length, types);
                return new OnnxGraphSignature(types);
            }

            Skip(stream, wire);
        }

        throw new InvalidDataException($"{path} holds no graph.");
    }

    private static void ReadGraph(Stream stream, long end, Dictionary<string, TensorElementType> types)
    {
        while (stream.Position < end)
        {
            var (field, wire) = ReadTag(stream);
            if ((field == GraphInput || field == GraphOutput) && wire == 2)
            {
                var length = (int)ReadVarint(stream);
                var bytes = new byte[length];
                stream.ReadExactly(bytes);
                var (name, type) = ReadValueInfo(bytes);
                if (name is not null && type is { } elementType)
                {
                    types[name] = elementType;
                }
            }
            else
            {
                Skip(stream, wire);
            }
        }
    }

    private static (string? Name, TensorElementType? Type) ReadValueInfo(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        string? name = null;
        TensorElementType? type = null;
        while (stream.Position < stream.Length)
        {
            var (field, wire) = ReadTag(stream);
            if (field == ValueInfoName && wire == 2)
            {
                var text = new byte[(int)ReadVarint(stream)];
                stream.ReadExactly(text);
                name = Encoding.UTF8.GetString(text);
            }
            else if (field == ValueInfoType && wire == 2)
            {
                var typeEnd = (long)ReadVarint(stream) + stream.Position;
                type = ReadElementType(stream, typeEnd);
                stream.Position = typeEnd;
            }
            else
            {
                Skip(stream, wire);
            }
        }

        return (name, type);
    }

    private static TensorElementType? ReadElementType(Stream stream, long end)
    {
        while (stream.Position < end)
        {
            var (field, wire) = ReadTag(stream);
            if (field == TypeTensor && wire == 2)
            {
                var tensorEnd = (long)ReadVarint(stream) + stream.Position;
                while (stream.Position < tensorEnd)
                {
                    var (inner, innerWire) = ReadTag(stream);
                    if (inner == TensorElementTypeField && innerWire == 0)
                    {
                        return (TensorElementType)(int)ReadVarint(stream);
                    }

                    Skip(stream, innerWire);
                }

                return null;
            }

            Skip(stream, wire);
        }

        return null;
    }

    private static (int Field, int Wire) ReadTag(Stream stream)
    {
        var tag = ReadVarint(stream);
        return ((int)(tag >> 3), (int)(tag & 7));
    }

    private static ulong ReadVarint(Stream stream)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = stream.ReadByte();
            if (b < 0)
            {
                throw new InvalidDataException("The ONNX file ends inside a field.");
            }

            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new InvalidDataException("The ONNX file holds a malformed number.");
    }

    private static void Skip(Stream stream, int wire)
    {
        switch (wire)
        {
            case 0:
                ReadVarint(stream);
                break;
            case 1:
                stream.Seek(8, SeekOrigin.Current);
                break;
            case 2:
                stream.Seek((long)ReadVarint(stream), SeekOrigin.Current);
                break;
            case 5:
                stream.Seek(4, SeekOrigin.Current);
                break;
            default:
                throw new InvalidDataException($"The ONNX file holds a field of wire type {wire}, which ONNX does not use.");
        }
    }
}
