namespace Ember.Models.Writing;

/// <summary>
/// Symmetric block quantization in the layout of ONNX Runtime's <c>com.microsoft.MatMulNBits</c>:
/// for each output column n and each block of <see cref="LlamaShape.QuantizationBlock"/> input rows,
/// <c>bits</c>-bit codes packed low bits first, one float scale, and the implicit zero point 2^(bits-1).
/// </summary>
internal static class BlockQuantizer
{
    /// <summary>Quantizes a row-major [k, n] weight for <c>MatMulNBits</c>.</summary>
    /// <returns>Packed codes shaped [n, k / block, block * bits / 8] and scales shaped [n * k / block].</returns>
    public static (byte[] Packed, float[] Scales) Quantize(float[] weight, int k, int n, int bits)
    {
        const int block = LlamaShape.QuantizationBlock;
        if (bits is not (4 or 8))
        {
            throw new ArgumentOutOfRangeException(nameof(bits), bits, "MatMulNBits weights are 4 or 8 bits here.");
        }

        var blocks = k / block;
        var blobSize = block * bits / 8;
        var zeroPoint = 1 << (bits - 1);
        var maxCode = (1 << bits) - 1;
        var packed = new byte[n * blocks * blobSize];
        var scales = new float[n * blocks];
        var codes = new int[block];
        for (var col = 0; col < n; col++)
        {
            for (var b = 0; b < blocks; b++)
            {
                var maxAbs = 0f;
                for (var i = 0; i < block; i++)
                {
                    maxAbs = MathF.Max(maxAbs, MathF.Abs(weight[((b * block) + i) * n + col]));
                }

                var scale = maxAbs / (zeroPoint - 1);
                scales[(col * blocks) + b] = scale;
                for (var i = 0; i < block; i++)
                {
                    var value = weight[((b * block) + i) * n + col];
                    var code = scale == 0f ? zeroPoint : (int)MathF.Round(value / scale) + zeroPoint;
                    codes[i] = Math.Clamp(code, 0, maxCode);
                }

                var offset = ((col * blocks) + b) * blobSize;
                if (bits == 8)
                {
                    for (var i = 0; i < block; i++)
                    {
                        packed[offset + i] = (byte)codes[i];
                    }
                }
                else
                {
                    for (var i = 0; i < block / 2; i++)
                    {
                        packed[offset + i] = (byte)(codes[2 * i] | (codes[(2 * i) + 1] << 4));
                    }
                }
            }
        }

        return (packed, scales);
    }
}
