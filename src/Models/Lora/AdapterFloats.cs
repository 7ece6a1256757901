using System.Buffers.Binary;

namespace Ember.Models.Lora;

/// <summary>An adapter file's factor elements widened to float32, whichever of the three types the file stores them in.</summary>
/// <remarks>Stateless.</remarks>
internal static class AdapterFloats
{
    /// <summary>
    /// The elements of <paramref name="raw"/>, little-endian: float32 where <paramref name="elementBytes"/> is 4,
    /// otherwise float16 where <paramref name="float16"/> is set and bfloat16 where not.
    /// </summary>
    public static float[] Widen(ReadOnlySpan<byte> raw, int elementBytes, bool float16)
    {
        var values = new float[raw.Length / elementBytes];
        for (var k = 0; k < values.Length; k++)
        {
            values[k] = elementBytes == 4 ? BinaryPrimitives.ReadSingleLittleEndian(raw[(k * 4)..])
                : float16 ? (float)BinaryPrimitives.ReadHalfLittleEndian(raw[(k * 2)..])
                : BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(raw[(k * 2)..]) << 16);
        }

        return values;
    }
}
