using Ember.Runtime.Engine;

namespace Ember.Runtime.Tests.Engine;

/// <summary>
/// <see cref="DecoderSession.Step"/> against the same work done through <see cref="DecoderSession.Prefill"/> and
/// <see cref="DecoderSession.Decode"/> one call at a time, on the tiny model, whose graph takes <c>query_seqlens</c>.
/// </summary>
[Collection(RuntimeTestGroup.Name)]
public sealed class DecoderSessionMixedStepTests(TinyModelFixture models)
{
    private static readonly int[][] Prompts = MixedStepRuns.Prompts;

    [Theory]
    [InlineData("fp32")]
    [InlineData("int8")]
    [InlineData("fp16")]
    public void Step_DecodeRowsChunksWithPastAndIdleRows_SameLogitsAsPrefillAndDecodeApart(string variant)
    {
        var layout = DecoderLayout.Read(models.Folder(variant));
        using var mixed = DecoderSession.Load(layout, 6, 256, 0, spinning: false);
        using var apart = DecoderSession.Load(layout, 6, 256, 0, spinning: false);

        // Before the step: rows 0 and 3 decode (9 and 4 prompt tokens, then 2 and 0 generated: lengths 11 and 4),
        // row 1 is idle holding its whole prompt, rows 2 and 5 have 6 and 3 prompt tokens in and feed 8 and 11 more,
        // row 4 is a fresh prompt of 5.
        int[] done = [9, 6, 6, 4, 0, 3];
        foreach (var session in new[] { mixed, apart })
        {
            for (var slot = 0; slot < 6; slot++)
            {
                if (done[slot] > 0)
                {
                    session.Prefill(slot, Prompts[slot].AsSpan(0, done[slot]), 0);
                }
            }

            session.Decode(1, [829], [9]);
            session.Decode(1, [798], [10]);
        }

        int[] pastLengths = [11, 6, 6, 4, 0, 3];
        int[][] fed = [[755], [], Prompts[2][6..14], [798], Prompts[4], Prompts[5][3..14]];
        var stepped = mixed.Step(6, [.. fed.SelectMany(f => f)], [.. fed.Select(f => f.Length)], pastLengths).ToArray();

        var vocab = apart.VocabSize;
        var decoded = apart.Decode(4, [755, 0, 0, 798], [11, 6, 6, 4]).ToArray();
        var expected = new Dictionary<int, float[]>
        {
            [0] = decoded[..vocab],
            [3] = decoded[(3 * vocab)..(4 * vocab)],
            [2] = apart.Prefill(2, fed[2], 6),
            [4] = apart.Prefill(4, fed[4], 0),
            [5] = apart.Prefill(5, fed[5], 3),
        };
        foreach (var (row, logits) in expected)
        {
            var actual = stepped.AsSpan(row * vocab, vocab).ToArray();
            Assert.Equal(vocab, logits.Length);
            Assert.All(logits.Zip(actual), pair => Assert.Equal(pair.First, pair.Second, Tolerance(variant)));
        }

        // Every row, the idle one included, goes on the same: eight greedy decode steps of all six rows together.
        int[] lengths = [12, 6, 14, 5, 5, 14];
        int[] next = [.. Enumerable.Range(0, 6).Select(row => row == 1 ? 447 : MixedStepRuns.ArgMax(stepped.AsSpan(row * vocab, vocab)))];
        Assert.Equal(Generate(apart, next, lengths), Generate(mixed, next, lengths));
    }

    /// <summary>
    /// A decode row runs GroupQueryAttention's chunk path in a step and its one-token path in <see cref="DecoderSession.Decode"/>,
    /// which sum in another order: 4 ulps of a logit near 8 (3.8e-6) were seen in fp32 and int8, none in fp16; prefill
    /// rows were bit-identical. So 1e-5 in float32 (about 10 ulps there), and one float16 ulp near 8 in fp16.
    /// </summary>
    private static float Tolerance(string variant) => variant == "fp16" ? 7.8125e-3f : 1e-5f;

    [Theory]
    [InlineData("fp32", 8)]
    [InlineData("int8", 5)]
    [InlineData("fp16", 16)]
    public void Step_SequencesJoiningInChunks_GreedyTokensSameAsSoloRuns(string variant, int chunk)
    {
        MixedStepRuns.AssertStaggeredEqualsSolo(models.Folder(variant), chunk, generated: 12);
    }

    [Fact]
    public void Step_RowsWithoutRoomForThePaddedChunk_RunApartWithTheSameLogits()
    {
        // Slots of 32: row 0 decodes at 30, row 1 prefills 8 fresh tokens; 30 + 8 does not fit, so row 0 runs in a Run of its own.
        var layout = DecoderLayout.Read(models.Folder("fp32"));
        using var mixed = DecoderSession.Load(layout, 3, 32, 0, spinning: false);
        using var apart = DecoderSession.Load(layout, 3, 32, 0, spinning: false);
        int[] history = [.. Prompts[2], .. Prompts[0], 1];
        foreach (var session in new[] { mixed, apart })
        {
            session.Prefill(0, history, 0);
            session.Prefill(2, Prompts[3], 0);
        }

        var stepped = mixed.Step(3, [762, .. Prompts[5][..8], 829], [1, 8, 1], [30, 0, 4]).ToArray();

        var vocab = apart.VocabSize;
        var decoded = apart.Decode(3, [762, 0, 829], [30, 0, 4]).ToArray();
        var prefilled = apart.Prefill(1, Prompts[5].AsSpan(0, 8), 0);
        Assert.Equal(32, mixed.MaxLength);
        Assert.All(decoded.AsSpan(0, vocab).ToArray().Zip(stepped.AsSpan(0, vocab).ToArray()), pair => Assert.Equal(pair.First, pair.Second, Tolerance("fp32")));
        Assert.All(prefilled.Zip(stepped.AsSpan(vocab, vocab).ToArray()), pair => Assert.Equal(pair.First, pair.Second, Tolerance("fp32")));
        Assert.All(decoded.AsSpan(2 * vocab, vocab).ToArray().Zip(stepped.AsSpan(2 * vocab, vocab).ToArray()), pair => Assert.Equal(pair.First, pair.Second, Tolerance("fp32")));
    }

    [Fact]
    public void Step_TokensAndCountsDisagree_Throws()
    {
        using var session = DecoderSession.Load(DecoderLayout.Read(models.Folder("fp32")), 2, 64, 0, spinning: false);

        Assert.True(session.MixedSteps);
        Assert.Throws<ArgumentOutOfRangeException>("tokens", () => session.Step(2, [1, 2, 3], [1, 1], [0, 0]).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>("pastLengths", () => session.Step(2, [1, 2], [1, 1], [63, 64]).ToArray());
    }

    private static int[][] Generate(DecoderSession session, int[] first, int[] lengths)
    {
        var next = first.ToArray();
        var at = lengths.ToArray();
        var tokens = Enumerable.Range(0, next.Length).Select(_ => new List<int>()).ToArray();
        for (var step = 0; step < 8; step++)
        {
            var logits = session.Decode(next.Length, next, at).ToArray();
            for (var row = 0; row < next.Length; row++)
            {
                at[row]++;
                next[row] = MixedStepRuns.ArgMax(logits.AsSpan(row * session.VocabSize, session.VocabSize));
                tokens[row].Add(next[row]);
            }
        }

        return [.. tokens.Select(t => t.ToArray())];
    }
}
