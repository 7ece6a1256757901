using System.Buffers.Binary;
using System.Text;
using Ember.Models.Lora;

namespace Ember.Models.Tests.Lora;

public sealed class SafetensorsFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ember-safetensors-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Read_WrittenFile_SameNamesShapesAndValues()
    {
        var path = Path.Combine(_folder, "t.safetensors");
        SafetensorsFile.Write(path, [("a", [2, 3], [1f, 2f, 3f, 4f, 5f, -6.5f]), ("b.weight", [1], [0.25f])]);

        var tensors = SafetensorsFile.Read(path, 1 << 20);

        Assert.Equal(["a", "b.weight"], tensors.Select(t => t.Name));
        Assert.Equal([2L, 3L], tensors[0].Shape);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, -6.5f], tensors[0].Values);
        Assert.Equal("F32", tensors[0].DType);
        Assert.Equal([0.25f], tensors[1].Values);
    }

    [Fact]
    public void Parse_HalfAndBfloat16_WidenedToFloat()
    {
        var data = new byte[8];
        BinaryPrimitives.WriteHalfLittleEndian(data, (Half)1.5f);
        BinaryPrimitives.WriteHalfLittleEndian(data.AsSpan(2), (Half)(-2f));
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(4), (ushort)(BitConverter.SingleToInt32Bits(3f) >> 16));
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(6), (ushort)(BitConverter.SingleToInt32Bits(-0.5f) >> 16));
        var file = File("""{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[4,8]},"__metadata__":{"format":"pt"}}""", data);

        var tensors = SafetensorsFile.Parse(file, "x.safetensors");

        Assert.Equal([1.5f, -2f], tensors.Single(t => t.Name == "h").Values);
        Assert.Equal([3f, -0.5f], tensors.Single(t => t.Name == "b").Values);
    }

    [Theory]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}""", "do not hold its 8 bytes")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,12]}}""", "data_offsets [4, 12]")]
    [InlineData("""{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}""", "is I64; adapters are taken in F32, F16 or BF16")]
    [InlineData("""{"a":{"shape":[1],"data_offsets":[0,4]}}""", "lacks its dtype, shape or two data_offsets")]
    [InlineData("""{"a":""", "it is not JSON")]
    [InlineData("""[1]""", "it is not a JSON object")]
    public void Parse_CorruptHeader_RefusedNamingFileAndFault(string header, string fault)
    {
        var error = Assert.Throws<LoraAdapterException>(() => SafetensorsFile.Parse(File(header, new byte[8]), "adapter_model.safetensors"));

        Assert.StartsWith("adapter_model.safetensors", error.Message, StringComparison.Ordinal);
        Assert.Contains(fault, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_HeaderLengthBeyondFile_Refused()
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1000);

        var error = Assert.Throws<LoraAdapterException>(() => SafetensorsFile.Parse(bytes, "a.safetensors"));

        Assert.Equal("a.safetensors has a corrupt safetensors header: a header of 1000 bytes does not fit in the file's 8.", error.Message);
    }

    [Fact]
    public void Read_FileAboveLimit_RefusedNamingSizeAndLimit()
    {
        var path = Path.Combine(_folder, "big.safetensors");
        SafetensorsFile.Write(path, [("a", [64], new float[64])]);
        var length = new FileInfo(path).Length;

        var error = Assert.Throws<LoraAdapterException>(() => SafetensorsFile.Read(path, 100));

        Assert.Equal($"big.safetensors is {length} bytes, above the limit of 100 bytes.", error.Message);
    }

    private static byte[] File(string header, byte[] data)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + json.Length);
        return bytes;
    }
}
