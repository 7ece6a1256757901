using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Ember.Runtime.Engine;

/// <summary>Turns logits of the graph's element type (float32, float16 or bfloat16) into the float32 the sampler reads.</summary>
internal static class LogitConverter
{
    /// <summary>Converts <paramref name="destination"/>.Length logits from the start of <paramref name="raw"/>.</summary>
    public static void ToSingle(ReadOnlySpan<byte> raw, TensorElementType type, Span<float> destination)
    {
        var count = destination.Length;
        switch (type)
        {
            case TensorElementType.Float:
                MemoryMarshal.Cast<byte, float>(raw)[..count].CopyTo(destination);
                break;
            case TensorElementType.Float16:
                System.Numerics.Tensors.TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(raw)[..count], destination);
                break;
            case TensorElementType.BFloat16:
                var bits = MemoryMarshal.Cast<byte, ushort>(raw)[..count];
                for (var i = 0; i < count; i++)
                {
                    destination[i] = BitConverter.Int32BitsToSingle(bits[i] << 16);
                }

                break;
            default:
                throw new NotSupportedException($"Logits of type {type} are not read.");
        }
    }
}
