using System.Runtime.InteropServices;
using Ember.Models.Writing;
using Ember.Runtime.Engine;
using Ember.Runtime.Pool;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Ember.Runtime.Tests.Engine;

/// <summary>
/// The decoder on the tiny model written with an int8 KV cache, against the same weights with the float cache: what
/// ONNX Runtime's <c>GroupQueryAttention</c> stores (each entry rounded to the writer's scale), the cache's bytes, and
/// that chunked prefill, mixed steps and copies behave on it as on a float cache.
/// </summary>
[Collection(Int8KvCacheTestGroup.Name)]
public sealed class Int8KvCacheDecoderTests(Int8KvCacheModelFixture int8Cache, TinyModelFixture floatCache)
{
    private static readonly int[][] Prompts = MixedStepRuns.Prompts;

    [Theory]
    [InlineData("fp32", 512)]
    [InlineData("fp16", 256)]
    [InlineData("int8", 512)]
    [InlineData("int4", 512)]
    public void Layout_Int8Cache_OneByteAnEntry(string variant, long floatTokenBytes)
    {
        // Tiny: 2 layers × 2 KV heads × head size 16 × 2 (keys, values) = 128 entries a token.
        var layout = DecoderLayout.Read(int8Cache.Folder(variant));
        using var session = DecoderSession.Load(layout, 4, 256, 0, spinning: false);

        Assert.Equal(TensorElementType.Int8, layout.Types.Cache);
        Assert.Equal(128, KvCacheBudget.BytesPerToken(layout));
        Assert.Equal(floatTokenBytes, KvCacheBudget.BytesPerToken(DecoderLayout.Read(floatCache.Folder(variant))));
        Assert.Equal(4L * 256 * 128, session.CacheBytes);
        Assert.Equal(TensorElementType.Int8, session.Cache.ElementType);
    }

    [Theory]
    [InlineData("fp32")]
    [InlineData("fp16")]
    public void Prefill_Int8Cache_StoresTheFirstLayersEntriesRoundedToTheScale(string variant)
    {
        // The first layer's keys and values are computed from the embeddings alone, so both graphs compute the same
        // floats: the int8 cache must hold each rounded to the nearest multiple of the scale (GroupQueryAttention's
        // symmetric quantization with the dequantization scale the writer gives it).
        var prompt = Prompts[2];
        using var quantized = DecoderSession.Load(DecoderLayout.Read(int8Cache.Folder(variant)), 1, 64, 0, spinning: false);
        using var exact = DecoderSession.Load(DecoderLayout.Read(floatCache.Folder(variant)), 1, 64, 0, spinning: false);
        quantized.Prefill(0, prompt, 0);
        exact.Prefill(0, prompt, 0);

        foreach (var values in new[] { false, true })
        {
            var codes = Entries(quantized.Cache, 0, values);
            var floats = Entries(exact.Cache, 0, values);
            var checkedEntries = 0;
            for (var head = 0; head < quantized.Cache.KvHeads; head++)
            {
                for (var position = 0; position < prompt.Length; position++)
                {
                    for (var channel = 0; channel < quantized.Cache.HeadSize; channel++)
                    {
                        var index = (((head * quantized.Cache.MaxLength) + position) * quantized.Cache.HeadSize) + channel;
                        var expected = Math.Clamp(MathF.Round(floats[index] / KvCacheQuantization.Scale), -KvCacheQuantization.MaxCode, KvCacheQuantization.MaxCode);
                        Assert.True(expected == codes[index], $"{(values ? "value" : "key")} head {head} position {position} channel {channel}: {floats[index]} stored as {codes[index]}, not {expected}");
                        checkedEntries++;
                    }
                }
            }

            Assert.Equal(2 * 20 * 16, checkedEntries);
        }
    }

    [Theory]
    [InlineData("fp32", 3)]
    [InlineData("fp16", 5)]
    [InlineData("int8", 2)]
    public void Prefill_Int8CacheInChunks_SameLogitsAsWhole(string variant, int chunk)
    {
        var layout = DecoderLayout.Read(int8Cache.Folder(variant));
        using var chunked = DecoderSession.Load(layout, 1, 64, 0, spinning: false);
        using var whole = DecoderSession.Load(layout, 1, 64, 0, spinning: false);
        var prompt = Prompts[2];

        var expected = whole.Prefill(0, prompt, 0);
        float[] actual = [];
        for (var done = 0; done < prompt.Length; done += chunk)
        {
            actual = chunked.Prefill(0, prompt.AsSpan(done, Math.Min(chunk, prompt.Length - done)), done);
        }

        Assert.Equal(expected.Length, actual.Length);
        Assert.All(expected.Zip(actual), pair => Assert.Equal(pair.First, pair.Second, 1e-4f));
    }

    [Theory]
    [InlineData("fp32", 8)]
    [InlineData("fp16", 16)]
    [InlineData("int8", 5)]
    public void Step_Int8CacheSequencesJoiningInChunks_GreedyTokensSameAsSoloRuns(string variant, int chunk)
    {
        MixedStepRuns.AssertStaggeredEqualsSolo(int8Cache.Folder(variant), chunk, generated: 12);
    }

    [Fact]
    public void CopyPrefix_Int8Cache_ContinuingFromTheCopyEqualsPrefillingCold()
    {
        // Slot 0 holds a history; slot 2 takes its first 14 entries by copy and prefills the rest of a longer prompt;
        // slot 1 prefills that prompt cold. Their logits, and their greedy tokens after, are the same.
        var layout = DecoderLayout.Read(int8Cache.Folder("fp32"));
        using var session = DecoderSession.Load(layout, 3, 64, 0, spinning: false);
        int[] prompt = [.. Prompts[5], .. Prompts[4][1..]];
        session.Prefill(0, Prompts[5], 0);

        session.CopyPrefix(0, 2, Prompts[5].Length);
        var hit = session.Prefill(2, prompt.AsSpan(Prompts[5].Length), Prompts[5].Length);
        var cold = session.Prefill(1, prompt, 0);

        Assert.All(cold.Zip(hit), pair => Assert.Equal(pair.First, pair.Second, 1e-4f));
        var next = MixedStepRuns.ArgMax(cold);
        int[] lengths = [Prompts[5].Length, prompt.Length, prompt.Length];
        for (var step = 0; step < 8; step++)
        {
            var logits = session.Decode(3, [next, next, next], lengths).ToArray();
            var vocab = session.VocabSize;
            Assert.Equal(MixedStepRuns.ArgMax(logits.AsSpan(vocab, vocab)), MixedStepRuns.ArgMax(logits.AsSpan(2 * vocab, vocab)));
            next = MixedStepRuns.ArgMax(logits.AsSpan(vocab, vocab));
            lengths = [lengths[0] + 1, lengths[1] + 1, lengths[2] + 1];
        }
    }

    /// <summary>Slot <paramref name="slot"/>'s entries of layer 0 (keys, or values), as floats: [kv heads, max length, head size].</summary>
    private static float[] Entries(KvCache cache, int slot, bool values)
    {
        using var view = values ? cache.Values(0, slot, 1) : cache.Keys(0, slot, 1);
        var raw = view.GetTensorMutableRawData();
        return cache.ElementType switch
        {
            TensorElementType.Int8 => [.. MemoryMarshal.Cast<byte, sbyte>(raw).ToArray().Select(code => (float)code)],
            TensorElementType.Float16 => [.. MemoryMarshal.Cast<byte, Half>(raw).ToArray().Select(half => (float)half)],
            _ => MemoryMarshal.Cast<byte, float>(raw).ToArray(),
        };
    }
}
