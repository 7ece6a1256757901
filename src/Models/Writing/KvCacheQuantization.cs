namespace Ember.Models.Writing;

/// <summary>
/// How Ember's writer quantizes the KV cache of a <see cref="Catalog.KvCacheType.Int8"/> model: symmetric int8, one
/// fixed scale per layer for keys and one for values (<c>GroupQueryAttention</c>'s <c>PER_TENSOR</c> mode,
/// <c>kv_cache_bit_width</c> 8), stored as initializers and fed to the node's <c>k_scale</c> and <c>v_scale</c>.
/// </summary>
/// <remarks>
/// A cached value x is stored as round(x / <see cref="Scale"/>), clamped to [-127, 127], and read as that code times
/// <see cref="Scale"/>. The scale follows from the writer's weights rather than from a calibration run: every
/// projection's input is RMS-normalized (norm weights of one), and every key and value column has a standard deviation
/// of 1/√width over width inputs, so each key and value has a standard deviation of about 1 (rotary embedding turns
/// pairs of channels and keeps that). <see cref="Clip"/> is 8 of those standard deviations: far above the largest
/// entry seen (docs/kv-cache.md gives the measured maxima and the effect on the log-probabilities), so nothing saturates,
/// and a step of 8/127 (about 0.063) leaves a rounding error of at most 0.031.
/// </remarks>
public static class KvCacheQuantization
{
    /// <summary>The largest magnitude the cache holds without saturating.</summary>
    public const float Clip = 8f;

    /// <summary>The largest int8 code used (symmetric: -127 to 127).</summary>
    public const int MaxCode = 127;

    /// <summary>The dequantization scale: a code of 1 stands for this value.</summary>
    public const float Scale = Clip / MaxCode;

    /// <summary><c>GroupQueryAttention</c>'s quantization mode attribute value (<c>k_quant_type</c>, <c>v_quant_type</c>).</summary>
    public const string Mode = "PER_TENSOR";

    /// <summary><c>GroupQueryAttention</c>'s <c>kv_cache_bit_width</c>.</summary>
    public const int BitWidth = 8;
}
