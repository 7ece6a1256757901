using System.Runtime.InteropServices;
using Ember.Models.Onnx;

namespace Ember.Models.Writing;

/// <summary>
/// The pseudo-random weight tensors of Ember's own models, made only when the model is written (deferred tensors) and
/// on every core: a 7B model is never in memory whole, and each tensor equals the sequential stream of
/// <see cref="SeededRandom"/> for its name, whatever the number of threads.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal static class RandomWeights
{
    /// <summary>Elements made and written at a time for a float tensor (4 MiB of float32).</summary>
    private const int Chunk = 1 << 20;

    /// <summary>
    /// A float32 or float16 tensor of shape [rows, columns], row-major, uniform with the given standard deviation;
    /// the columns <paramref name="mutedColumns"/> marks are zero, and <paramref name="delta"/> (same shape) is added when given.
    /// </summary>
    public static OnnxTensor Floats(SeededRandom random, string name, long rows, long columns, float standardDeviation, bool float16, bool[]? mutedColumns = null, float[]? delta = null)
    {
        var count = rows * columns;
        var elementBytes = float16 ? 2 : 4;
        return OnnxTensor.Deferred(name, float16 ? OnnxDataType.Float16 : OnnxDataType.Float, [rows, columns], count * elementBytes, stream =>
        {
            var values = new float[Chunk];
            var halves = float16 ? new Half[Chunk] : null;
            for (long start = 0; start < count; start += Chunk)
            {
                var length = (int)Math.Min(Chunk, count - start);
                var first = start;
                Parallel.For(0, Environment.ProcessorCount, part =>
                {
                    var (from, to) = Part(length, part);
                    random.Fill(values.AsSpan(from, to - from), first + from, standardDeviation);
                    if (mutedColumns is not null)
                    {
                        for (var i = from; i < to; i++)
                        {
                            if (mutedColumns[(first + i) % columns])
                            {
                                values[i] = 0f;
                            }
                        }
                    }

                    if (delta is not null)
                    {
                        for (var i = from; i < to; i++)
                        {
                            values[i] += delta[first + i];
                        }
                    }

                    if (halves is not null)
                    {
                        for (var i = from; i < to; i++)
                        {
                            halves[i] = (Half)values[i];
                        }
                    }
                });
                stream.Write(halves is null ? MemoryMarshal.AsBytes(values.AsSpan(0, length)) : MemoryMarshal.AsBytes(halves.AsSpan(0, length)));
            }
        });
    }

    /// <summary>
    /// A [K, N] weight, uniform with the given standard deviation (the columns <paramref name="mutedColumns"/> marks
    /// zero), block-quantized for <c>MatMulNBits</c>: its codes ([N, K / block, block × bits / 8] uint8) and scales
    /// ([N × K / block] float), made together, column by column on every core, when the codes are written.
    /// </summary>
    public static (OnnxTensor Codes, OnnxTensor Scales) Quantized(SeededRandom random, string name, int k, int n, int bits, int block, float standardDeviation, bool[]? mutedColumns = null)
    {
        var blocks = k / block;
        var blobSize = block * bits / 8;
        float[]? scales = null;
        var codes = OnnxTensor.Deferred($"{name}.q{bits}", OnnxDataType.UInt8, [n, blocks, blobSize], (long)n * blocks * blobSize, stream =>
        {
            var packed = new byte[(long)n * blocks * blobSize];
            var madeScales = new float[(long)n * blocks];
            var limit = SeededRandom.Limit(standardDeviation);
            Parallel.For(0, Environment.ProcessorCount, part =>
            {
                var column = new float[k];
                var (from, to) = Part(n, part);
                for (var col = from; col < to; col++)
                {
                    if (mutedColumns?[col] == true)
                    {
                        Array.Clear(column);
                    }
                    else
                    {
                        for (var row = 0; row < k; row++)
                        {
                            column[row] = random.SignedAt(((long)row * n) + col) * limit;
                        }
                    }

                    BlockQuantizer.QuantizeColumn(column, bits, block, packed.AsSpan(col * blocks * blobSize, blocks * blobSize), madeScales.AsSpan(col * blocks, blocks));
                }
            });
            stream.Write(packed);
            scales = madeScales;
        });
        var scaleTensor = OnnxTensor.Deferred($"{name}.scales", OnnxDataType.Float, [(long)n * blocks], (long)n * blocks * sizeof(float), stream =>
        {
            var made = scales ?? throw new InvalidOperationException($"The scales of '{name}' are written after its codes.");
            stream.Write(MemoryMarshal.AsBytes(made.AsSpan()));
            scales = null;
        });
        return (codes, scaleTensor);
    }

    /// <summary>Part <paramref name="part"/> of <see cref="Environment.ProcessorCount"/> equal parts of [0, length).</summary>
    private static (int From, int To) Part(int length, int part)
    {
        var parts = Environment.ProcessorCount;
        return ((int)((long)length * part / parts), (int)((long)length * (part + 1) / parts));
    }
}
