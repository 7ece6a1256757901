using Ember.Runtime.Generation;
using Microsoft.ML.OnnxRuntime;

namespace Ember.Runtime.Engine;

/// <summary>
/// Runs a builder-style decoder (<c>GroupQueryAttention</c> reading <c>seqlens_k</c> and
/// <c>total_sequence_length</c> from the attention mask) directly on ONNX Runtime with a <see cref="KvCache"/>
/// of slots: a prompt is prefilled into one slot, in chunks if need be; a decode step runs one token for every
/// slot below the highest one decoding, each at its own length. Other slots below it run as dummy rows that
/// write one throw-away entry just past their valid ones.
/// </summary>
/// <remarks>
/// Used by the owning scheduler thread only; owns its session and cache. ONNX Runtime's exceptions are
/// translated here, the one place this path calls it.
/// </remarks>
internal sealed class DecoderSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly DecoderLayout _layout;
    private readonly KvCache _cache;
    private readonly RunOptions _runOptions = new();
    private readonly float[] _stepLogits;
    private readonly long[] _stepTokens;

    private DecoderSession(InferenceSession session, DecoderLayout layout, KvCache cache)
    {
        _session = session;
        _layout = layout;
        _cache = cache;
        _stepLogits = new float[cache.Slots * layout.VocabSize];
        _stepTokens = new long[cache.Slots];
    }

    /// <summary>Width of the logits.</summary>
    public int VocabSize => _layout.VocabSize;

    /// <summary>Sequences decoded at once at most.</summary>
    public int Slots => _cache.Slots;

    /// <summary>Bytes of the KV cache.</summary>
    public long CacheBytes => _cache.Bytes;

    /// <summary>Longest sequence (prompt and generated tokens) a slot holds.</summary>
    public int MaxLength => _cache.MaxLength;

    /// <summary>
    /// Loads the decoder of <paramref name="layout"/> on the CPU with a cache of <paramref name="slots"/> slots;
    /// <paramref name="spinning"/> lets ONNX Runtime's worker threads spin between operators.
    /// </summary>
    public static DecoderSession Load(DecoderLayout layout, int slots, int maxLength, int intraOpThreads, bool spinning)
    {
        return Guard("load the decoder", () =>
        {
            using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
            if (intraOpThreads > 0)
            {
                options.IntraOpNumThreads = intraOpThreads;
            }

            options.AddSessionConfigEntry("session.intra_op.allow_spinning", spinning ? "1" : "0");

            var session = new InferenceSession(layout.ModelPath, options);
            try
            {
                return new DecoderSession(session, layout, new KvCache(layout.Layers, slots, layout.KvHeads, layout.SlotLength(maxLength), layout.HeadSize));
            }
            catch
            {
                session.Dispose();
                throw;
            }
        });
    }

    /// <summary>
    /// Runs the next <paramref name="chunk"/> of a prompt into <paramref name="slot"/>, whose first
    /// <paramref name="pastLength"/> positions are already in the cache, and returns the chunk's last-position logits.
    /// </summary>
    public float[] Prefill(int slot, ReadOnlySpan<int> chunk, int pastLength)
    {
        var length = chunk.Length;
        var ids = new long[length];
        for (var i = 0; i < length; i++)
        {
            ids[i] = chunk[i];
        }

        var mask = new long[pastLength + length];
        Array.Fill(mask, 1L);
        return Guard("prefill a prompt", () =>
        {
            using var inputIds = OrtValue.CreateTensorValueFromMemory(ids, [1, length]);
            using var attention = OrtValue.CreateTensorValueFromMemory(mask, [1, mask.Length]);
            using var binding = _session.CreateIoBinding();
            binding.BindInput(_layout.InputIds, inputIds);
            binding.BindInput(_layout.AttentionMask, attention);
            binding.BindOutputToDevice(_layout.Logits, OrtMemoryInfo.DefaultInstance);
            using var views = BindCache(binding, slot, 1);
            _session.RunWithBinding(_runOptions, binding);
            using var outputs = binding.GetOutputValues();
            return outputs[0].GetTensorDataAsSpan<float>()[((length - 1) * VocabSize)..].ToArray();
        });
    }

    /// <summary>
    /// One decode step for slots [0, rows): row b takes <paramref name="tokens"/>[b] at position
    /// <paramref name="lengths"/>[b] (its tokens so far). Returns logits [rows, vocab], valid until the next call.
    /// </summary>
    public ReadOnlySpan<float> Decode(int rows, ReadOnlySpan<int> tokens, ReadOnlySpan<int> lengths)
    {
        var width = 0;
        for (var b = 0; b < rows; b++)
        {
            _stepTokens[b] = tokens[b];
            width = Math.Max(width, lengths[b] + 1);
        }

        var mask = new long[rows * width];
        for (var b = 0; b < rows; b++)
        {
            Array.Fill(mask, 1L, b * width, lengths[b] + 1);
        }

        var stepTokens = _stepTokens;
        var stepLogits = _stepLogits;
        Guard("decode a step", () =>
        {
            using var inputIds = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, stepTokens.AsMemory(0, rows), [rows, 1]);
            using var attention = OrtValue.CreateTensorValueFromMemory(mask, [rows, width]);
            using var logits = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, stepLogits.AsMemory(0, rows * VocabSize), [rows, 1, VocabSize]);
            using var binding = _session.CreateIoBinding();
            binding.BindInput(_layout.InputIds, inputIds);
            binding.BindInput(_layout.AttentionMask, attention);
            binding.BindOutput(_layout.Logits, logits);
            using var views = BindCache(binding, 0, rows);
            _session.RunWithBinding(_runOptions, binding);
            return true;
        });
        return _stepLogits.AsSpan(0, rows * VocabSize);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
        _cache.Dispose();
    }

    private static T Guard<T>(string what, Func<T> call)
    {
        try
        {
            return call();
        }
        catch (OnnxRuntimeException e)
        {
            throw new AiTextGenerationException(AiErrorKind.RuntimeFailure, $"ONNX Runtime failed to {what}: {e.Message}", e);
        }
    }

    private CacheViews BindCache(OrtIoBinding binding, int first, int count)
    {
        var views = new CacheViews();
        for (var layer = 0; layer < _layout.Layers; layer++)
        {
            var keys = views.Add(_cache.Keys(layer, first, count));
            var values = views.Add(_cache.Values(layer, first, count));
            binding.BindInput(_layout.PastKey[layer], keys);
            binding.BindInput(_layout.PastValue[layer], values);
            binding.BindOutput(_layout.PresentKey[layer], keys);
            binding.BindOutput(_layout.PresentValue[layer], values);
        }

        return views;
    }
}
