using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Ember.Models.Lora;

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header naming each tensor's
/// <c>dtype</c>, <c>shape</c> and <c>data_offsets</c> (begin and end within the data that follows), then the raw data.
/// Reading checks every part of the header against the file before a value is read.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class SafetensorsFile
{
    /// <summary>The largest header read: 100 MB, the format's own limit.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>Reads every tensor of the file at <paramref name="path"/>, refusing a file above <paramref name="maxBytes"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">The largest file taken.</param>
    /// <param name="name">The file's name in messages (an upload not yet renamed into place); its own name when <see langword="null"/>.</param>
    /// <exception cref="LoraAdapterException">The file is too large, or its header is corrupt or disagrees with its data; the message names the file.</exception>
    public static IReadOnlyList<SafetensorsTensor> Read(string path, long maxBytes, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        name ??= Path.GetFileName(path);
        return Parse(AdapterFileBytes.Read(path, maxBytes, name), name);
    }

    /// <summary>Reads every tensor of <paramref name="bytes"/>, a whole file called <paramref name="name"/> in messages.</summary>
    /// <exception cref="LoraAdapterException">The header is corrupt or disagrees with the data.</exception>
    public static IReadOnlyList<SafetensorsTensor> Parse(ReadOnlySpan<byte> bytes, string name)
    {
        if (bytes.Length < 8)
        {
            throw new LoraAdapterException($"{name} has a corrupt safetensors header: the file is {bytes.Length} bytes, shorter than the 8-byte header length.");
        }

        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaxHeaderBytes || headerLength > (ulong)(bytes.Length - 8))
        {
            throw new LoraAdapterException($"{name} has a corrupt safetensors header: a header of {headerLength} bytes does not fit in the file's {bytes.Length - 8}.");
        }

        var data = bytes[(8 + (int)headerLength)..];
        JsonDocument header;
        try
        {
            header = JsonDocument.Parse(bytes.Slice(8, (int)headerLength).ToArray());
        }
        catch (JsonException e)
        {
            throw new LoraAdapterException($"{name} has a corrupt safetensors header: it is not JSON ({e.Message}).", e);
        }

        using (header)
        {
            if (header.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new LoraAdapterException($"{name} has a corrupt safetensors header: it is not a JSON object.");
            }

            var tensors = new List<SafetensorsTensor>();
            foreach (var property in header.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    continue;
                }

                tensors.Add(ReadTensor(property, data, name));
            }

            return tensors;
        }
    }

    /// <summary>Writes <paramref name="tensors"/> as float32 to <paramref name="path"/>, in the order given.</summary>
    public static void Write(string path, IEnumerable<(string Name, long[] Shape, float[] Values)> tensors)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var list = tensors.ToList();
        var header = new StringBuilder("{");
        long offset = 0;
        foreach (var (tensorName, shape, values) in list)
        {
            var end = offset + ((long)values.Length * 4);
            header.Append(header.Length > 1 ? "," : string.Empty)
                .Append(JsonSerializer.Serialize(tensorName, LoraJsonContext.Default.String))
                .Append(":{\"dtype\":\"F32\",\"shape\":[")
                .AppendJoin(',', shape)
                .Append(System.Globalization.CultureInfo.InvariantCulture, $"],\"data_offsets\":[{offset},{end}]}}");
            offset = end;
        }

        header.Append('}');
        var headerBytes = Encoding.UTF8.GetBytes(header.ToString());
        using var stream = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)headerBytes.Length);
        stream.Write(length);
        stream.Write(headerBytes);
        foreach (var (_, _, values) in list)
        {
            stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
        }
    }

    private static SafetensorsTensor ReadTensor(JsonProperty property, ReadOnlySpan<byte> data, string name)
    {
        var tensor = property.Value;
        if (tensor.ValueKind != JsonValueKind.Object
            || !tensor.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String
            || !tensor.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array
            || !tensor.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array || offsetsElement.GetArrayLength() != 2)
        {
            throw new LoraAdapterException($"{name} has a corrupt safetensors header: tensor '{property.Name}' lacks its dtype, shape or two data_offsets.");
        }

        var dtype = dtypeElement.GetString()!;
        var size = dtype switch
        {
            "F32" => 4,
            "F16" or "BF16" => 2,
            _ => throw new LoraAdapterException($"{name}: tensor '{property.Name}' is {dtype}; adapters are taken in F32, F16 or BF16."),
        };

        long count = 1;
        var shape = new long[shapeElement.GetArrayLength()];
        var i = 0;
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (!dim.TryGetInt64(out var d) || d < 0 || d > int.MaxValue)
            {
                throw new LoraAdapterException($"{name} has a corrupt safetensors header: tensor '{property.Name}' has a dimension that is not a size.");
            }

            shape[i++] = d;
            count = checked(count * d);
        }

        var begin = offsetsElement[0].TryGetInt64(out var b) ? b : -1;
        var end = offsetsElement[1].TryGetInt64(out var e) ? e : -1;
        if (begin < 0 || end < begin || end > data.Length || end - begin != count * size)
        {
            throw new LoraAdapterException($"{name} has a corrupt safetensors header: tensor '{property.Name}' ({dtype} [{string.Join(", ", shape)}]) has data_offsets [{begin}, {end}], which do not hold its {count * size} bytes within the {data.Length} bytes of data.");
        }

        var values = AdapterFloats.Widen(data[(int)begin..(int)end], size, dtype == "F16");
        return new SafetensorsTensor(property.Name, dtype, shape, values);
    }
}
