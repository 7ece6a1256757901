using Ember.Runtime.Engine;
using Ember.Runtime.Options;
using Ember.Runtime.Pool;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Ember.Runtime.Tests.Pool;

/// <summary>What the start-up refuses at 7B shapes, before anything loads: the KV budget and the memory the weights and caches need.</summary>
public sealed class MemoryFitTests
{
    // Llama-2-7B as the builder exports it for CUDA: 32 layers, 32 KV heads of 128, an fp16 cache: 0.5 MiB a token.
    private static readonly DecoderLayout Llama2Fp16 = new(
        "model.onnx", 32, 32, 128, 32000, 4096, "input_ids", "attention_mask", "logits",
        [.. Enumerable.Range(0, 32).Select(i => $"past_key_values.{i}.key")],
        [.. Enumerable.Range(0, 32).Select(i => $"past_key_values.{i}.value")],
        [.. Enumerable.Range(0, 32).Select(i => $"present.{i}.key")],
        [.. Enumerable.Range(0, 32).Select(i => $"present.{i}.value")],
        new DecoderTypes(TensorElementType.Int64, TensorElementType.Int64, TensorElementType.Float16, TensorElementType.Float16),
        QuerySeqlens: null)
    {
        Projections = new(32, 32, 32, 128),
    };

    [Fact]
    public void ReplicaBytes_Llama2Fp16AtCap8Of4096Tokens_Is16GiB()
    {
        var options = new ModelOptions { SequenceCap = 8 };

        Assert.Equal(512 * 1024, KvCacheBudget.BytesPerToken(Llama2Fp16));
        Assert.Equal(16L << 30, KvCacheBudget.ReplicaBytes(options, Llama2Fp16, 4096));
    }

    [Fact]
    public void Check_Llama2Fp16WeightsAndCacheOn24GiB_RefusesNamingTheSizes()
    {
        // 13.5 GB of fp16 weights and a 16 GiB cache, on a machine of 24 GiB: the KV budget (three quarters, 18 GiB)
        // alone would let it start, and it would fail loading or under load.
        var options = new ModelOptions { SequenceCap = 8 };
        KvCacheBudget.Check([("@cf/meta/llama-2-7b-chat-fp16", options, Llama2Fp16, 4096)], 18L << 30, "three quarters");

        var error = Assert.Throws<InvalidOperationException>(() => MemoryFit.Check(
            [("@cf/meta/llama-2-7b-chat-fp16", options, 13_476_839_424L, KvCacheBudget.ReplicaBytes(options, Llama2Fp16, 4096))], 24L << 30, "configured"));

        Assert.Equal(
            "The models need 28.6 GiB of memory, more than the 24.0 GiB there is (Ember:MemoryBytes: configured): " +
            "@cf/meta/llama-2-7b-chat-fp16 28.6 GiB (1 replica(s) × (12.6 GiB of weights + 16.0 GiB of KV cache)). " +
            "Use a smaller variant, or lower SequenceCap, Replicas or Limits:ContextTokensLimit.",
            error.Message);
    }

    [Fact]
    public void Check_Llama2Fp16AtCap8OverTheKvBudget_RefusesNamingIt()
    {
        var options = new ModelOptions { SequenceCap = 8 };

        var error = Assert.Throws<InvalidOperationException>(() => KvCacheBudget.Check([("@cf/meta/llama-2-7b-chat-fp16", options, Llama2Fp16, 4096)], 12L << 30, "configured"));

        Assert.Equal(
            "The continuous schedulers' KV caches need 16.0 GiB, more than Ember:KvCacheBudgetBytes (12.0 GiB: configured): " +
            "@cf/meta/llama-2-7b-chat-fp16 16.0 GiB (1 replica(s) × SequenceCap 8 × 4096 tokens × 512.0 KiB a token). " +
            "Lower SequenceCap, Replicas or Limits:ContextTokensLimit of a model, or raise the budget.",
            error.Message);
    }
}
