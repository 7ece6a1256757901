using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Ember.Models.Lora;

/// <summary>
/// Reads and writes ONNX Runtime's adapter format (<c>.onnx_adapter</c>, the schema <c>adapter_schema.fbs</c> of
/// <c>onnxruntime/lora/adapter_format</c>): a FlatBuffers buffer with the file identifier <c>TORT</c> whose root table
/// <c>Adapter</c> holds <c>format_version</c>, <c>adapter_version</c>, <c>model_version</c> and <c>parameters</c>, each
/// a table of <c>name</c>, <c>dims</c> (int64), <c>data_type</c> (ONNX's <c>TensorProto</c> type) and <c>raw_data</c>
/// (the values' little-endian bytes). Reading checks every offset, length and size against the file before a value is
/// read; a file that fails is refused naming it and what is wrong.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class OnnxAdapterFile
{
    /// <summary>The file extension ONNX Runtime, ORT GenAI and Olive give adapter files.</summary>
    public const string Extension = ".onnx_adapter";

    /// <summary>The FlatBuffers file identifier, bytes 4 to 7 of the file.</summary>
    public const string Identifier = "TORT";

    /// <summary>The format version read and written: 1, the only one ONNX Runtime reads (<c>kAdapterFormatVersion</c>).</summary>
    public const int FormatVersion = 1;

    /// <summary>ONNX's name of float32, a data type taken.</summary>
    public const string TypeFloat = "FLOAT";

    /// <summary>ONNX's name of float16, a data type taken.</summary>
    public const string TypeFloat16 = "FLOAT16";

    /// <summary>ONNX's name of bfloat16, a data type taken.</summary>
    public const string TypeBFloat16 = "BFLOAT16";

    // The schema's TensorDataType, ONNX's TensorProto.DataType 0 to 20.
    private static readonly string[] TypeNames =
    [
        "UNDEFINED", TypeFloat, "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64", "STRING", "BOOL", TypeFloat16, "DOUBLE", "UINT32", "UINT64",
        "COMPLEX64", "COMPLEX128", TypeBFloat16, "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ",
    ];

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads the adapter file at <paramref name="path"/>, refusing a file above <paramref name="maxBytes"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">The largest file taken.</param>
    /// <param name="name">The file's name in messages; its own name when <see langword="null"/>.</param>
    /// <exception cref="LoraAdapterException">The file is too large, not an adapter file, corrupt, of another format version, or holds a parameter of a type not taken; the message names the file.</exception>
    public static OnnxAdapterContents Read(string path, long maxBytes, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        name ??= Path.GetFileName(path);
        return Parse(AdapterFileBytes.Read(path, maxBytes, name), name);
    }

    /// <summary>Reads <paramref name="bytes"/>, a whole adapter file called <paramref name="name"/> in messages.</summary>
    /// <exception cref="LoraAdapterException">The bytes are not an adapter file, are corrupt, are of another format version, or hold a parameter of a type not taken.</exception>
    public static OnnxAdapterContents Parse(ReadOnlySpan<byte> bytes, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (bytes.Length < 8)
        {
            throw new LoraAdapterException($"{name} is not an ONNX Runtime adapter: the file is {bytes.Length} bytes, shorter than the 8 of a root offset and file identifier.");
        }

        if (!bytes[4..8].SequenceEqual("TORT"u8))
        {
            throw new LoraAdapterException($"{name} is not an ONNX Runtime adapter: its file identifier (bytes 4 to 7) is {Shown(bytes[4..8])}, not '{Identifier}'.");
        }

        var file = new FlatFile(bytes, name);
        var root = file.Table(BinaryPrimitives.ReadUInt32LittleEndian(bytes), "the Adapter table");
        var formatVersion = file.Int32(root, 0, "format_version");
        if (formatVersion != FormatVersion)
        {
            throw new LoraAdapterException($"{name}: format_version is {formatVersion}; Ember reads ONNX Runtime's adapter format version {FormatVersion}.");
        }

        var parameters = new List<OnnxAdapterParameter>();
        if (file.Offset(root, 3, "parameters") is var vector and >= 0)
        {
            var (start, count) = file.Vector(vector, 4, "the parameters vector");
            for (var i = 0; i < count; i++)
            {
                var element = start + (4L * i);
                parameters.Add(ReadParameter(file, element + BinaryPrimitives.ReadUInt32LittleEndian(bytes[(int)element..]), i));
            }
        }

        return new OnnxAdapterContents(formatVersion, file.Int32(root, 1, "adapter_version"), file.Int32(root, 2, "model_version"), parameters);
    }

    /// <summary>Writes <paramref name="parameters"/> to <paramref name="path"/> as ONNX Runtime's <c>AdapterFormat.export_adapter</c> does (format version <see cref="FormatVersion"/>).</summary>
    /// <param name="path">The file, created or replaced.</param>
    /// <param name="parameters">The parameters, in the order given; each's values are stored as its <see cref="OnnxAdapterParameter.DataType"/> (<see cref="TypeFloat"/>, <see cref="TypeFloat16"/> or <see cref="TypeBFloat16"/>, rounded to nearest).</param>
    /// <param name="adapterVersion">The adapter's version.</param>
    /// <param name="modelVersion">The model's version.</param>
    public static void Write(string path, IEnumerable<OnnxAdapterParameter> parameters, int adapterVersion = 1, int modelVersion = 1)
    {
        ArgumentNullException.ThrowIfNull(path);
        File.WriteAllBytes(path, Encode(parameters, adapterVersion, modelVersion));
    }

    /// <summary>The bytes <see cref="Write"/> writes.</summary>
    /// <remarks>
    /// Laid out front to back, every offset pointing forward: the root offset and identifier, the two vtables (Adapter's,
    /// then the one every Parameter shares), the Adapter table, the parameters vector, then each Parameter's table, name,
    /// dims and raw_data; scalars and offsets at multiples of 4, dims and raw_data at multiples of 8 (the schema's
    /// <c>force_align: 8</c>), as FlatBuffers' verifier and ONNX Runtime's reader (which maps the data in place) need.
    /// </remarks>
    public static byte[] Encode(IEnumerable<OnnxAdapterParameter> parameters, int adapterVersion = 1, int modelVersion = 1)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var list = parameters.ToList();
        var buffer = new FlatWriter();
        var rootOffset = buffer.Reserve(4);
        "TORT"u8.CopyTo(buffer.Span(buffer.Reserve(4), 4));

        // A vtable: its size, the table's size, then each field's offset within the table (4 fields of 4 bytes after the soffset).
        var vtables = buffer.Reserve(24);
        for (var v = 0; v < 2; v++)
        {
            ushort[] entries = [12, 20, 4, 8, 12, 16];
            for (var e = 0; e < entries.Length; e++)
            {
                buffer.UInt16(vtables + (12 * v) + (2 * e), entries[e]);
            }
        }

        var adapter = buffer.Reserve(20);
        buffer.Int32(adapter, adapter - vtables);
        buffer.Int32(adapter + 4, FormatVersion);
        buffer.Int32(adapter + 8, adapterVersion);
        buffer.Int32(adapter + 12, modelVersion);
        buffer.Patch(rootOffset, adapter);
        var vector = buffer.Reserve(4 + (4 * list.Count));
        buffer.Int32(vector, list.Count);
        buffer.Patch(adapter + 16, vector);
        for (var i = 0; i < list.Count; i++)
        {
            var parameter = list[i];
            ArgumentNullException.ThrowIfNull(parameter);
            var bytes = EncodeValues(parameter);
            var table = buffer.Reserve(20);
            buffer.Patch(vector + 4 + (4 * i), table);
            buffer.Int32(table, table - (vtables + 12));
            buffer.Int32(table + 12, Array.IndexOf(TypeNames, parameter.DataType));

            var name = Encoding.UTF8.GetBytes(parameter.Name);
            var text = buffer.Reserve(4 + name.Length + 1);
            buffer.Int32(text, name.Length);
            name.CopyTo(buffer.Span(text + 4, name.Length));
            buffer.Patch(table + 4, text);

            buffer.AlignForVector();
            var dims = buffer.Reserve(4 + (8 * parameter.Dims.Length));
            buffer.Int32(dims, parameter.Dims.Length);
            for (var d = 0; d < parameter.Dims.Length; d++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(buffer.Span(dims + 4 + (8 * d), 8), parameter.Dims[d]);
            }

            buffer.Patch(table + 8, dims);
            buffer.AlignForVector();
            var raw = buffer.Reserve(4 + bytes.Length);
            buffer.Int32(raw, bytes.Length);
            bytes.CopyTo(buffer.Span(raw + 4, bytes.Length));
            buffer.Patch(table + 16, raw);
        }

        return buffer.ToArray();
    }

    /// <summary>The ONNX name of data type <paramref name="dataType"/> (<c>TensorProto.DataType</c>).</summary>
    public static string TypeName(int dataType) =>
        dataType >= 0 && dataType < TypeNames.Length ? TypeNames[dataType] : string.Create(CultureInfo.InvariantCulture, $"data_type {dataType}");

    private static OnnxAdapterParameter ReadParameter(FlatFile file, long position, int index)
    {
        var table = file.Table(position, $"parameter {index}");
        var namePosition = file.Offset(table, 0, "name");
        if (namePosition < 0)
        {
            throw file.Corrupt($"parameter {index} has no name");
        }

        var (nameStart, nameLength) = file.Vector(namePosition, 1, $"parameter {index}'s name");
        string name;
        try
        {
            name = StrictUtf8.GetString(file.Bytes.Slice((int)nameStart, (int)nameLength));
        }
        catch (DecoderFallbackException)
        {
            throw file.Corrupt($"parameter {index}'s name is not UTF-8");
        }

        var what = $"parameter '{name}'";
        var dimsPosition = file.Offset(table, 1, "dims");
        if (dimsPosition < 0)
        {
            throw file.Corrupt($"{what} has no dims");
        }

        var (dimsStart, rank) = file.Vector(dimsPosition, 8, $"{what}'s dims");
        var dims = new long[rank];
        long count = 1;
        for (var d = 0; d < rank; d++)
        {
            dims[d] = BinaryPrimitives.ReadInt64LittleEndian(file.Bytes[(int)(dimsStart + (8L * d))..]);
            if (dims[d] < 0 || dims[d] > int.MaxValue || (count *= dims[d]) > int.MaxValue)
            {
                throw file.Corrupt($"{what} has dims [{string.Join(", ", dims.Take(d + 1))}], which are not a tensor's sizes");
            }
        }

        var dataType = file.Int32(table, 2, "data_type");
        var typeName = TypeName(dataType);
        var size = typeName switch
        {
            TypeFloat => 4,
            TypeFloat16 or TypeBFloat16 => 2,
            _ => throw new LoraAdapterException($"{file.Name}: {what} is {typeName}; adapters are taken in {TypeFloat}, {TypeFloat16} or {TypeBFloat16}."),
        };

        var rawPosition = file.Offset(table, 3, "raw_data");
        if (rawPosition < 0)
        {
            throw file.Corrupt($"{what} has no raw_data");
        }

        var (rawStart, rawLength) = file.Vector(rawPosition, 1, $"{what}'s raw_data");
        if (rawLength != count * size)
        {
            throw file.Corrupt($"{what} ({typeName} [{string.Join(", ", dims)}]) has {rawLength} bytes of raw_data; its shape needs {count * size}");
        }

        var values = AdapterFloats.Widen(file.Bytes.Slice((int)rawStart, (int)rawLength), size, typeName == TypeFloat16);
        return new OnnxAdapterParameter(name, typeName, dims, values);
    }

    private static byte[] EncodeValues(OnnxAdapterParameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter.Name);
        ArgumentNullException.ThrowIfNull(parameter.Dims);
        ArgumentNullException.ThrowIfNull(parameter.Values);
        var count = parameter.Dims.Aggregate(1L, (product, dim) => product * dim);
        if (count != parameter.Values.Length)
        {
            throw new ArgumentException($"Parameter '{parameter.Name}' has {parameter.Values.Length} values; its dims [{string.Join(", ", parameter.Dims)}] need {count}.", nameof(parameter));
        }

        var size = parameter.DataType switch
        {
            TypeFloat => 4,
            TypeFloat16 or TypeBFloat16 => 2,
            _ => throw new ArgumentException($"Parameter '{parameter.Name}' is {parameter.DataType}; the writer stores {TypeFloat}, {TypeFloat16} or {TypeBFloat16}.", nameof(parameter)),
        };

        var bytes = new byte[parameter.Values.Length * size];
        for (var k = 0; k < parameter.Values.Length; k++)
        {
            var value = parameter.Values[k];
            switch (parameter.DataType)
            {
                case TypeFloat:
                    BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(k * 4), value);
                    break;
                case TypeFloat16:
                    BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(k * 2), (Half)value);
                    break;
                default:
                    BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(k * 2), ToBFloat16(value));
                    break;
            }
        }

        return bytes;
    }

    /// <summary>bfloat16's bits of <paramref name="value"/>, rounded to nearest, ties to even.</summary>
    private static ushort ToBFloat16(float value)
    {
        if (float.IsNaN(value))
        {
            return 0x7FC0;
        }

        var bits = BitConverter.SingleToUInt32Bits(value);
        return (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
    }

    private static string Shown(ReadOnlySpan<byte> bytes) =>
        bytes.ToArray().All(b => b is >= 0x20 and < 0x7F) ? $"'{Encoding.ASCII.GetString(bytes)}'" : "0x" + Convert.ToHexString(bytes);

    /// <summary>A table of the file: where it starts, its vtable, and their sizes, all checked against the file.</summary>
    private readonly record struct FlatTable(long Position, long Vtable, int VtableSize, int TableSize, string What);

    /// <summary>The bounds-checked reads of a FlatBuffers file.</summary>
    private readonly ref struct FlatFile(ReadOnlySpan<byte> bytes, string name)
    {
        public ReadOnlySpan<byte> Bytes { get; } = bytes;

        public string Name { get; } = name;

        public LoraAdapterException Corrupt(string problem) => new($"{Name} is a corrupt ONNX Runtime adapter: {problem}.");

        /// <summary>The table at <paramref name="position"/>: its soffset, vtable and inline size within the file.</summary>
        public FlatTable Table(long position, string what)
        {
            if (position < 0 || position > Bytes.Length - 4)
            {
                throw Corrupt($"{what} at offset {position} is past the end of the file's {Bytes.Length} bytes");
            }

            var vtable = position - BinaryPrimitives.ReadInt32LittleEndian(Bytes[(int)position..]);
            if (vtable < 0 || vtable > Bytes.Length - 4)
            {
                throw Corrupt($"{what} at offset {position} has its vtable at offset {vtable}, outside the file's {Bytes.Length} bytes");
            }

            int vtableSize = BinaryPrimitives.ReadUInt16LittleEndian(Bytes[(int)vtable..]), tableSize = BinaryPrimitives.ReadUInt16LittleEndian(Bytes[(int)(vtable + 2)..]);
            if (vtableSize < 4 || vtableSize % 2 != 0 || vtable + vtableSize > Bytes.Length)
            {
                throw Corrupt($"{what} at offset {position} has a vtable of {vtableSize} bytes at offset {vtable}, which the file's {Bytes.Length} bytes do not hold");
            }

            if (tableSize < 4 || position + tableSize > Bytes.Length)
            {
                throw Corrupt($"{what} at offset {position} is {tableSize} bytes long, past the end of the file's {Bytes.Length} bytes");
            }

            return new FlatTable(position, vtable, vtableSize, tableSize, what);
        }

        /// <summary>The scalar int32 field <paramref name="index"/> of <paramref name="table"/>, 0 where absent.</summary>
        public int Int32(FlatTable table, int index, string field) =>
            Field(table, index, field) is var at and >= 0 ? BinaryPrimitives.ReadInt32LittleEndian(Bytes[(int)at..]) : 0;

        /// <summary>Where the offset field <paramref name="index"/> of <paramref name="table"/> points, or -1 where absent.</summary>
        public long Offset(FlatTable table, int index, string field)
        {
            var at = Field(table, index, field);
            if (at < 0)
            {
                return -1;
            }

            var target = at + BinaryPrimitives.ReadUInt32LittleEndian(Bytes[(int)at..]);
            return target <= Bytes.Length - 4 ? target : throw Corrupt($"{table.What}'s {field} points to offset {target}, past the end of the file's {Bytes.Length} bytes");
        }

        /// <summary>The first element and the length of the vector (or string) at <paramref name="position"/>, whose elements are <paramref name="elementSize"/> bytes.</summary>
        public (long Start, int Count) Vector(long position, int elementSize, string what)
        {
            var count = BinaryPrimitives.ReadUInt32LittleEndian(Bytes[(int)position..]);
            return position + 4 + ((long)count * elementSize) <= Bytes.Length
                ? (position + 4, (int)count)
                : throw Corrupt($"{what} at offset {position} holds {count} × {elementSize} bytes, past the end of the file's {Bytes.Length} bytes");
        }

        private long Field(FlatTable table, int index, string field)
        {
            var slot = 4 + (2 * index);
            var offset = slot + 2 <= table.VtableSize ? BinaryPrimitives.ReadUInt16LittleEndian(Bytes[(int)(table.Vtable + slot)..]) : 0;
            if (offset == 0)
            {
                return -1;
            }

            return offset + 4 <= table.TableSize ? table.Position + offset : throw Corrupt($"{table.What}'s {field} at byte {offset} lies outside the table's {table.TableSize} bytes");
        }
    }

    /// <summary>A growing buffer written front to back.</summary>
    private sealed class FlatWriter
    {
        private byte[] _bytes = new byte[256];
        private int _length;

        public int Reserve(int size)
        {
            // Every object starts at a multiple of 4.
            var start = (_length + 3) & ~3;
            var end = start + size;
            if (end > _bytes.Length)
            {
                Array.Resize(ref _bytes, Math.Max(end, _bytes.Length * 2));
            }

            _length = end;
            return start;
        }

        /// <summary>Pads so that the next vector's elements, after its 4-byte length, start at a multiple of 8.</summary>
        public void AlignForVector()
        {
            var start = (_length + 3) & ~3;
            if (start % 8 != 4)
            {
                Reserve(4);
            }
        }

        public Span<byte> Span(int position, int length) => _bytes.AsSpan(position, length);

        public void Int32(int position, int value) => BinaryPrimitives.WriteInt32LittleEndian(_bytes.AsSpan(position), value);

        public void UInt16(int position, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(_bytes.AsSpan(position), value);

        /// <summary>Sets the offset field at <paramref name="position"/> to point at <paramref name="target"/>, which lies after it.</summary>
        public void Patch(int position, int target) => Int32(position, target - position);

        public byte[] ToArray() => _bytes.AsSpan(0, _length).ToArray();
    }
}
