using Microsoft.ML.OnnxRuntime;

namespace Ember.Runtime.Tests.Engine;

/// <summary>
/// ONNX Runtime 1.32's CPU <c>GroupQueryAttention</c> with <c>query_seqlens</c>, run directly on the tiny model's graph
/// (slots of <see cref="Capacity"/> bound as both past and present): what <see cref="DecoderSession"/> builds on.
/// </summary>
[Collection(RuntimeTestGroup.Name)]
public sealed class GroupQueryAttentionQuerySeqlensTests(TinyModelFixture models)
{
    private const int Capacity = 32;
    private const int KvHeads = 2;
    private const int HeadSize = 16;
    private const int Layers = 2;
    private const int SlotElements = KvHeads * Capacity * HeadSize;

    private static readonly int[] A = [1, 762, 769, 447, 761, 323, 829];
    private static readonly int[] B = [1, 751, 798, 755, 757];

    [Fact]
    public void NotFed_OverridableInitializer_LogitsOfEveryPosition()
    {
        using var session = Load();
        var cache = new Cache(1);

        var (logits, shape) = Run(session, cache, [A], [A.Length], null);

        Assert.DoesNotContain("query_seqlens", session.InputMetadata.Keys);
        Assert.Equal(["query_seqlens", "logit_counts"], session.OverridableInitializerMetadata.Keys.Where(name => !name.StartsWith("lora", StringComparison.Ordinal)));
        Assert.Equal([1L, A.Length, 1024], shape);
        Assert.Equal(A.Length * 1024, logits.Length);
    }

    [Fact]
    public void Fed_RowsWithPastTakeChunksTogether_BitIdenticalToSoloAndNothingWrittenPastTheirTokens()
    {
        using var session = Load();
        var soloA = new Cache(1);
        var soloB = new Cache(1);
        var lastA = Run(session, soloA, [A], [A.Length], null).Logits[^1024..];
        var lastB = Run(session, soloB, [B], [B.Length], null).Logits[^1024..];

        // Two steps of two rows: fresh chunks of 3 and 2, then 4 and 3 more after them (row B right-padded).
        var mixed = new Cache(2);
        Run(session, mixed, [A[..3], B[..2]], [3, 2], [3, 2]);
        var (logits, shape) = Run(session, mixed, [A[3..], B[2..]], [7, 5], [4, 3]);

        Assert.Equal([2L, 1, 1024], shape);
        Assert.Equal(lastA, logits[..1024]);
        Assert.Equal(lastB, logits[1024..]);
        for (var layer = 0; layer < Layers; layer++)
        {
            Assert.Equal(Valid(soloA.Keys[layer], 0, A.Length), Valid(mixed.Keys[layer], 0, A.Length));
            Assert.Equal(Valid(soloB.Values[layer], 0, B.Length), Valid(mixed.Values[layer], 1, B.Length));
            Assert.All(Beyond(mixed.Keys[layer], 1, B.Length), value => Assert.Equal(0f, value));
        }
    }

    [Fact]
    public void Fed_IdleRow_CacheUntouched()
    {
        using var session = Load();
        var cache = new Cache(2);
        Run(session, cache, [A, B], [A.Length, B.Length], [A.Length, B.Length]);
        var keys = cache.Keys[0][SlotElements..].ToArray();
        var values = cache.Values[1][SlotElements..].ToArray();

        Run(session, cache, [[829], []], [A.Length + 1, B.Length], [1, 0]);

        Assert.Equal(keys, cache.Keys[0][SlotElements..]);
        Assert.Equal(values, cache.Values[1][SlotElements..]);
    }

    [Theory]
    [InlineData(1, 31, "query_seqlens[0] = 1 leaves 30 cached tokens, and the padded chunk of 4 tokens does not fit in the KV cache capacity (32).")]
    [InlineData(0, 31, "query_seqlens[0] = 0 leaves 31 cached tokens, and the padded chunk of 4 tokens does not fit in the KV cache capacity (32).")]
    [InlineData(0, 0, "seqlens_k[0] = -1 is out of range for rotary cache dimension 0 (16384)")]
    public void Fed_RowBreakingTheRules_InvalidArgument(int count, int total, string message)
    {
        using var session = Load();
        var cache = new Cache(2);

        var error = Assert.Throws<OnnxRuntimeException>(() => Run(session, cache, [[.. A[..count]], [1, 2, 3, 4]], [total, 9], [count, 4]));

        Assert.Contains("[ErrorCode:InvalidArgument]", error.Message, StringComparison.Ordinal);
        Assert.EndsWith(message, error.Message, StringComparison.Ordinal);
    }

    private InferenceSession Load()
    {
        using var options = new SessionOptions();
        return new InferenceSession(Path.Combine(models.Folder("fp32"), "model.onnx"), options);
    }

    private static float[] Valid(float[] block, int row, int length) =>
        [.. Enumerable.Range(0, KvHeads).SelectMany(head => block.AsSpan((row * SlotElements) + (head * Capacity * HeadSize), length * HeadSize).ToArray())];

    private static float[] Beyond(float[] block, int row, int length) =>
        [.. Enumerable.Range(0, KvHeads).SelectMany(head => block.AsSpan((row * SlotElements) + (head * Capacity * HeadSize) + (length * HeadSize), (Capacity - length) * HeadSize).ToArray())];

    /// <summary>One run of right-padded <paramref name="chunks"/>, row b's mask <paramref name="totals"/>[b] ones wide.</summary>
    private static (float[] Logits, long[] Shape) Run(InferenceSession session, Cache cache, int[][] chunks, int[] totals, int[]? query)
    {
        var rows = chunks.Length;
        var sequence = Math.Max(1, chunks.Max(c => c.Length));
        var ids = new long[rows * sequence];
        for (var b = 0; b < rows; b++)
        {
            for (var i = 0; i < chunks[b].Length; i++)
            {
                ids[(b * sequence) + i] = chunks[b][i];
            }
        }

        var width = Math.Max(totals.Max(), sequence);
        var mask = new long[rows * width];
        for (var b = 0; b < rows; b++)
        {
            Array.Fill(mask, 1L, b * width, totals[b]);
        }

        using var binding = session.CreateIoBinding();
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, [rows, sequence]);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, [rows, width]);
        using var queryValue = query is null ? null : OrtValue.CreateTensorValueFromMemory(query, [rows]);
        binding.BindInput("input_ids", idsValue);
        binding.BindInput("attention_mask", maskValue);
        if (queryValue is not null)
        {
            binding.BindInput("query_seqlens", queryValue);
        }

        var views = new List<OrtValue>();
        try
        {
            for (var layer = 0; layer < Layers; layer++)
            {
                var keys = OrtValue.CreateTensorValueFromMemory(cache.Keys[layer], [rows, KvHeads, Capacity, HeadSize]);
                views.Add(keys);
                var values = OrtValue.CreateTensorValueFromMemory(cache.Values[layer], [rows, KvHeads, Capacity, HeadSize]);
                views.Add(values);
                binding.BindInput($"past_key_values.{layer}.key", keys);
                binding.BindInput($"past_key_values.{layer}.value", values);
                binding.BindOutput($"present.{layer}.key", keys);
                binding.BindOutput($"present.{layer}.value", values);
            }

            binding.BindOutputToDevice("logits", OrtMemoryInfo.DefaultInstance);
            using var runOptions = new RunOptions();
            session.RunWithBinding(runOptions, binding);
            using var outputs = binding.GetOutputValues();
            return (outputs[^1].GetTensorDataAsSpan<float>().ToArray(), outputs[^1].GetTensorTypeAndShape().Shape);
        }
        finally
        {
            views.ForEach(v => v.Dispose());
        }
    }

    /// <summary>Per layer, one block of keys and one of values, [rows, kv heads, <see cref="Capacity"/>, head size].</summary>
    private sealed class Cache(int rows)
    {
        public float[][] Keys { get; } = [.. Enumerable.Range(0, Layers).Select(_ => new float[rows * SlotElements])];

        public float[][] Values { get; } = [.. Enumerable.Range(0, Layers).Select(_ => new float[rows * SlotElements])];
    }
}
