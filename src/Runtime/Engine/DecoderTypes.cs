using Microsoft.ML.OnnxRuntime.Tensors;

namespace Ember.Runtime.Engine;

/// <summary>
/// The element types a decoder's graph declares, never assumed: the model builder's CPU exports are float32, its
/// CUDA and DirectML fp16 exports are float16 end to end (activations, KV cache and usually logits), and bf16
/// exports exist too.
/// </summary>
/// <param name="InputIds">The token input: int64 or int32.</param>
/// <param name="AttentionMask">The mask: int64 or int32.</param>
/// <param name="Cache">
/// The past/present keys and values: float32, float16 or bfloat16, or int8 (a quantized cache, whose scales the graph
/// holds: Ember's own <c>KvCacheType</c> <c>Int8</c> models, the builder's <c>kv_cache_quant_type=int8</c> exports).
/// </param>
/// <param name="Logits">The logits: float32, float16 or bfloat16.</param>
internal sealed record DecoderTypes(TensorElementType InputIds, TensorElementType AttentionMask, TensorElementType Cache, TensorElementType Logits)
{
    /// <summary>Bytes of one cache element.</summary>
    public int CacheElementBytes => SizeOf(Cache);

    /// <summary>Float32 on every part: what the tests and the KV budget assume when nothing else is known.</summary>
    public static DecoderTypes Float32 { get; } = new(TensorElementType.Int64, TensorElementType.Int64, TensorElementType.Float, TensorElementType.Float);

    /// <summary>Throws when a type is one the decoder cannot feed or read.</summary>
    /// <exception cref="NotSupportedException">Names the part and its type.</exception>
    public void Validate()
    {
        Require(nameof(InputIds), InputIds, TensorElementType.Int64, TensorElementType.Int32);
        Require(nameof(AttentionMask), AttentionMask, TensorElementType.Int64, TensorElementType.Int32);
        Require(nameof(Cache), Cache, TensorElementType.Float, TensorElementType.Float16, TensorElementType.BFloat16, TensorElementType.Int8);
        Require(nameof(Logits), Logits, TensorElementType.Float, TensorElementType.Float16, TensorElementType.BFloat16);
    }

    /// <summary>Bytes of one element of <paramref name="type"/>.</summary>
    public static int SizeOf(TensorElementType type) => type switch
    {
        TensorElementType.Float or TensorElementType.Int32 => 4,
        TensorElementType.Float16 or TensorElementType.BFloat16 => 2,
        TensorElementType.Int64 => 8,
        TensorElementType.Int8 => 1,
        _ => throw new NotSupportedException($"Element type {type} is not one a decoder uses."),
    };

    private static void Require(string part, TensorElementType type, params TensorElementType[] allowed)
    {
        if (!allowed.Contains(type))
        {
            throw new NotSupportedException($"the decoder's {part} is {type}; the continuous scheduler takes {string.Join(" or ", allowed)}");
        }
    }
}
