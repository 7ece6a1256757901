namespace Ember.Models.Writing;

/// <summary>
/// Symmetric block quantization in <c>MatMulNBits</c>' layout: a [K, N] weight becomes, per output column, K / block
/// blocks of <c>block × bits / 8</c> bytes (4 bits: low nibble first) and one float scale a block, with the zero point
/// at <c>2^(bits-1)</c> (the operator's default when no zero points are given).
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal static class BlockQuantizer
{
    /// <summary>Quantizes one output column (its K weights, in input order) into its blocks' bytes and scales.</summary>
    /// <param name="column">The column's K weights.</param>
    /// <param name="bits">4 or 8.</param>
    /// <param name="block">Weights a block; divides K.</param>
    /// <param name="packed">The column's K × bits / 8 bytes.</param>
    /// <param name="scales">The column's K / block scales.</param>
    public static void QuantizeColumn(ReadOnlySpan<float> column, int bits, int block, Span<byte> packed, Span<float> scales)
    {
        if (bits is not (4 or 8))
        {
            throw new ArgumentOutOfRangeException(nameof(bits), bits, "MatMulNBits weights are 4 or 8 bits here.");
        }

        var blobSize = block * bits / 8;
        var zeroPoint = 1 << (bits - 1);
        var maxCode = (1 << bits) - 1;
        Span<int> codes = stackalloc int[block];
        for (var b = 0; b < column.Length / block; b++)
        {
            var values = column.Slice(b * block, block);
            var maxAbs = 0f;
            foreach (var value in values)
            {
                maxAbs = MathF.Max(maxAbs, MathF.Abs(value));
            }

            var scale = maxAbs / (zeroPoint - 1);
            scales[b] = scale;
            for (var i = 0; i < block; i++)
            {
                var code = scale == 0f ? zeroPoint : (int)MathF.Round(values[i] / scale) + zeroPoint;
                codes[i] = Math.Clamp(code, 0, maxCode);
            }

            var blob = packed.Slice(b * blobSize, blobSize);
            if (bits == 8)
            {
                for (var i = 0; i < block; i++)
                {
                    blob[i] = (byte)codes[i];
                }
            }
            else
            {
                for (var i = 0; i < block / 2; i++)
                {
                    blob[i] = (byte)(codes[2 * i] | (codes[(2 * i) + 1] << 4));
                }
            }
        }
    }
}
