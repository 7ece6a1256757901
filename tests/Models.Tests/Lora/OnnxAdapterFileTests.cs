using System.Buffers.Binary;
using Ember.Models.Lora;
using Ember.Models.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Ember.Models.Tests.Lora;

public sealed class OnnxAdapterFileTests : IDisposable
{
    // One parameter 'p', FLOAT [2]: the writer lays it out as root offset and identifier (0), the vtables (8), the
    // Adapter table (32), the parameters vector (52), the Parameter table (60), its name (80), dims (92) and raw_data (108).
    private static readonly OnnxAdapterParameter Small = new("p", OnnxAdapterFile.TypeFloat, [2], [1.5f, -2f]);

    private readonly string _folder = Directory.CreateTempSubdirectory("ember-onnx-adapter-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Parse_WhatEncodeWrote_VersionsNamesTypesDimsAndValues()
    {
        OnnxAdapterParameter[] parameters =
        [
            new("model.layers.0.attn.q_proj.lora_A.weight", OnnxAdapterFile.TypeFloat, [3, 2], [0.1f, -0.2f, 0.3f, 1e-7f, -5f, 123.456f]),
            new("half", OnnxAdapterFile.TypeFloat16, [2, 1], [0.5f, -1.25f]),
            new("brain", OnnxAdapterFile.TypeBFloat16, [3], [1f, -0.375f, 3f]),
            new("empty", OnnxAdapterFile.TypeFloat, [4, 0], []),
        ];

        var contents = OnnxAdapterFile.Parse(OnnxAdapterFile.Encode(parameters, adapterVersion: 7, modelVersion: 3), "a.onnx_adapter");

        Assert.Equal((1, 7, 3), (contents.FormatVersion, contents.AdapterVersion, contents.ModelVersion));
        Assert.Equal(parameters.Length, contents.Parameters.Count);
        for (var i = 0; i < parameters.Length; i++)
        {
            Assert.Equal(parameters[i].Name, contents.Parameters[i].Name);
            Assert.Equal(parameters[i].DataType, contents.Parameters[i].DataType);
            Assert.Equal(parameters[i].Dims, contents.Parameters[i].Dims);
            Assert.Equal(parameters[i].Values, contents.Parameters[i].Values);
        }
    }

    [Fact]
    public void Encode_NarrowTypes_RoundToNearest()
    {
        OnnxAdapterParameter[] parameters = [new("h", OnnxAdapterFile.TypeFloat16, [2], [0.1f, 70000f]), new("b", OnnxAdapterFile.TypeBFloat16, [2], [0.1f, 1.00390625f])];

        var values = OnnxAdapterFile.Parse(OnnxAdapterFile.Encode(parameters), "a").Parameters.Select(p => p.Values).ToArray();

        Assert.Equal([(float)(Half)0.1f, float.PositiveInfinity], values[0]);

        // 0.1f is 0x3DCCCCCD: bfloat16 rounds it up to 0x3DCD; 1 + 2⁻⁸ lies halfway between 1 and 1 + 2⁻⁷: ties to even, 1.
        Assert.Equal([BitConverter.Int32BitsToSingle(0x3DCD << 16), 1f], values[1]);
    }

    [Fact]
    public void Encode_SmallFile_LaidOutAsDocumented()
    {
        var bytes = OnnxAdapterFile.Encode([Small]);

        Assert.Equal(120, bytes.Length);
        Assert.Equal(32u, BinaryPrimitives.ReadUInt32LittleEndian(bytes));
        Assert.Equal("TORT"u8.ToArray(), bytes[4..8]);
        Assert.Equal(1, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(92)));
        Assert.Equal(8, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(108)));
    }

    public static TheoryData<string, Func<byte[], byte[]>, string> CorruptFiles() => new()
    {
        { "truncated to 3 bytes", bytes => bytes[..3], "a.onnx_adapter is not an ONNX Runtime adapter: the file is 3 bytes, shorter than the 8 of a root offset and file identifier." },
        { "bad identifier", bytes => Patched(bytes, 4, "ABCD"u8.ToArray()), "a.onnx_adapter is not an ONNX Runtime adapter: its file identifier (bytes 4 to 7) is 'ABCD', not 'TORT'." },
        { "a safetensors file", _ => [8, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'}'], "a.onnx_adapter is not an ONNX Runtime adapter: its file identifier (bytes 4 to 7) is 0x00000000, not 'TORT'." },
        { "root offset past the end", bytes => Patched(bytes, 0, UInt32(5000)), "a.onnx_adapter is a corrupt ONNX Runtime adapter: the Adapter table at offset 5000 is past the end of the file's 120 bytes." },
        { "vtable outside the file", bytes => Patched(bytes, 32, UInt32(0xFFFF0000)), "a.onnx_adapter is a corrupt ONNX Runtime adapter: the Adapter table at offset 32 has its vtable at offset 65568, outside the file's 120 bytes." },
        { "table longer than the file", bytes => Patched(bytes, 10, [0xFF, 0x00]), "a.onnx_adapter is a corrupt ONNX Runtime adapter: the Adapter table at offset 32 is 255 bytes long, past the end of the file's 120 bytes." },
        { "parameters offset past the end", bytes => Patched(bytes, 48, UInt32(1000)), "a.onnx_adapter is a corrupt ONNX Runtime adapter: the Adapter table's parameters points to offset 1048, past the end of the file's 120 bytes." },
        { "a vector of a billion parameters", bytes => Patched(bytes, 52, UInt32(1_000_000_000)), "a.onnx_adapter is a corrupt ONNX Runtime adapter: the parameters vector at offset 52 holds 1000000000 × 4 bytes, past the end of the file's 120 bytes." },
        { "truncated in the dims", bytes => bytes[..100], "a.onnx_adapter is a corrupt ONNX Runtime adapter: parameter 'p''s dims at offset 92 holds 1 × 8 bytes, past the end of the file's 100 bytes." },
        { "truncated in the raw data", bytes => bytes[..116], "a.onnx_adapter is a corrupt ONNX Runtime adapter: parameter 'p''s raw_data at offset 108 holds 8 × 1 bytes, past the end of the file's 116 bytes." },
        { "a name of bytes not UTF-8", bytes => Patched(bytes, 84, [0xFF]), "a.onnx_adapter is a corrupt ONNX Runtime adapter: parameter 0's name is not UTF-8." },
        { "a negative dimension", bytes => Patched(bytes, 96, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), "a.onnx_adapter is a corrupt ONNX Runtime adapter: parameter 'p' has dims [-1], which are not a tensor's sizes." },
        { "raw data of another size", bytes => Patched(bytes, 96, [4, 0, 0, 0, 0, 0, 0, 0]), "a.onnx_adapter is a corrupt ONNX Runtime adapter: parameter 'p' (FLOAT [4]) has 8 bytes of raw_data; its shape needs 16." },
        { "no name", bytes => Patched(bytes, 24, [0, 0]), "a.onnx_adapter is a corrupt ONNX Runtime adapter: parameter 0 has no name." },
    };

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public void Parse_CorruptFile_RefusedNamingFileAndFault(string fault, Func<byte[], byte[]> corrupt, string message)
    {
        var error = Assert.Throws<LoraAdapterException>(() => OnnxAdapterFile.Parse(corrupt(OnnxAdapterFile.Encode([Small])), "a.onnx_adapter"));

        Assert.True(message == error.Message, $"{fault}: {error.Message}");
    }

    [Theory]
    [InlineData(3, "a.onnx_adapter: parameter 'p' is INT8; adapters are taken in FLOAT, FLOAT16 or BFLOAT16.")]
    [InlineData(11, "a.onnx_adapter: parameter 'p' is DOUBLE; adapters are taken in FLOAT, FLOAT16 or BFLOAT16.")]
    [InlineData(0, "a.onnx_adapter: parameter 'p' is UNDEFINED; adapters are taken in FLOAT, FLOAT16 or BFLOAT16.")]
    [InlineData(99, "a.onnx_adapter: parameter 'p' is data_type 99; adapters are taken in FLOAT, FLOAT16 or BFLOAT16.")]
    public void Parse_DataTypeNotTaken_RefusedNamingParameterAndType(int dataType, string message)
    {
        var bytes = Patched(OnnxAdapterFile.Encode([Small]), 72, UInt32((uint)dataType));

        var error = Assert.Throws<LoraAdapterException>(() => OnnxAdapterFile.Parse(bytes, "a.onnx_adapter"));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Parse_AnotherFormatVersion_Refused()
    {
        var bytes = Patched(OnnxAdapterFile.Encode([Small]), 36, UInt32(2));

        var error = Assert.Throws<LoraAdapterException>(() => OnnxAdapterFile.Parse(bytes, "a.onnx_adapter"));

        Assert.Equal("a.onnx_adapter: format_version is 2; Ember reads ONNX Runtime's adapter format version 1.", error.Message);
    }

    [Fact]
    public void Read_FileAboveTheLimit_Refused()
    {
        var path = Path.Combine(_folder, "big.onnx_adapter");
        OnnxAdapterFile.Write(path, [Small]);

        var error = Assert.Throws<LoraAdapterException>(() => OnnxAdapterFile.Read(path, 100));

        Assert.Equal("big.onnx_adapter is 120 bytes, above the limit of 100 bytes.", error.Message);
    }

    /// <summary>
    /// ONNX Runtime's own reader (<c>OrtLoraAdapter</c>: FlatBuffers' verifier, the identifier and the format version)
    /// takes the file, and feeds a graph's inputs from it (<c>RunOptions.AddActiveLoraAdapter</c>) with the values Ember's
    /// reader reads.
    /// </summary>
    [Fact]
    public void OrtLoraAdapter_FileWritten_OnnxRuntimeFeedsTheValuesEmberReads()
    {
        OnnxAdapterParameter[] parameters =
        [
            new("model.layers.0.attn.q_proj.lora_A.weight", OnnxAdapterFile.TypeFloat, [3, 2], [0.1f, -0.2f, 0.3f, 1e-7f, -5f, 123.456f]),
            new("model.layers.0.attn.q_proj.lora_B.weight", OnnxAdapterFile.TypeFloat16, [2, 1], [0.5f, -1.25f]),
            new("odd", OnnxAdapterFile.TypeFloat, [5], [1f, 2f, 3f, 4f, 5f]),
            new("model.layers.1.attn.v_proj.lora_A.weight", OnnxAdapterFile.TypeFloat, [1, 3], [7f, 8f, 9f]),
        ];
        var adapterPath = Path.Combine(_folder, "a.onnx_adapter");
        OnnxAdapterFile.Write(adapterPath, parameters);
        var graph = new OnnxGraph("identity");
        foreach (var (parameter, i) in parameters.Select((p, i) => (p, i)))
        {
            var type = parameter.DataType == OnnxAdapterFile.TypeFloat ? OnnxDataType.Float : OnnxDataType.Float16;
            var dims = parameter.Dims.Cast<object>().ToArray();
            graph.Input(parameter.Name, type, dims);
            graph.Output(graph.Node("Identity", $"identity_{i}", [parameter.Name]), type, dims);
        }

        var modelPath = Path.Combine(_folder, "identity.onnx");
        graph.Write(modelPath, "ember-tests", CancellationToken.None);
        var read = OnnxAdapterFile.Read(adapterPath, long.MaxValue).Parameters;

        using var adapter = OrtLoraAdapter.Create(adapterPath, null);
        using var runOptions = new RunOptions();
        runOptions.AddActiveLoraAdapter(adapter);
        using var session = new InferenceSession(modelPath);
        using var outputs = session.Run(runOptions, [], [], [.. parameters.Select((_, i) => $"identity_{i}/output_0")]);

        for (var i = 0; i < parameters.Length; i++)
        {
            var fed = parameters[i].DataType == OnnxAdapterFile.TypeFloat
                ? outputs[i].GetTensorDataAsSpan<float>().ToArray()
                : [.. outputs[i].GetTensorDataAsSpan<Float16>().ToArray().Select(h => (float)h)];
            Assert.Equal(read[i].Values, fed);
            Assert.Equal(read[i].Dims, outputs[i].GetTensorTypeAndShape().Shape);
        }
    }

    private static byte[] Patched(byte[] bytes, int at, byte[] patch)
    {
        var copy = bytes.ToArray();
        patch.CopyTo(copy, at);
        return copy;
    }

    private static byte[] UInt32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return bytes;
    }
}
