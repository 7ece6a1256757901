using Ember.Runtime.Engine;

namespace Ember.Runtime.Tests.Engine;

/// <summary>
/// <see cref="DecoderSession.Step"/> with logit counts (speculation's verification) on the tiny model, whose graph takes
/// <c>logit_counts</c>: a row of an input and drafted tokens gives the logits of each, as one-token decode steps give them.
/// </summary>
[Collection(RuntimeTestGroup.Name)]
public sealed class DecoderSessionVerificationTests(TinyModelFixture models)
{
    private static readonly int[][] Prompts = MixedStepRuns.Prompts;

    [Theory]
    [InlineData("fp32")]
    [InlineData("int8")]
    public void Step_RowOfDraftsBesideDecodeChunkAndIdleRows_GivesEachPositionsLogitsAsDecodeStepsDo(string variant)
    {
        var layout = DecoderLayout.Read(models.Folder(variant));
        using var verifying = DecoderSession.Load(layout, 4, 256, 0, spinning: false);
        using var apart = DecoderSession.Load(layout, 4, 256, 0, spinning: false);
        Assert.True(verifying.Verifies);
        foreach (var session in new[] { verifying, apart })
        {
            session.Prefill(0, Prompts[0], 0);
            session.Prefill(1, Prompts[1], 0);
            session.Prefill(3, Prompts[3], 0);
        }

        // Row 0 feeds its input and 3 drafts at 9; row 1 is idle; row 2 prefills a fresh prompt of 14; row 3 decodes one token at 4.
        int[] row0 = [829, 798, 755, 757];
        int[] tokens = [.. row0, .. Prompts[5], 447];
        var stepped = verifying.Step(4, tokens, [4, 0, 14, 1], [9, 6, 0, 4], [4, 0, 1, 1]).ToArray();

        var vocab = apart.VocabSize;
        Assert.Equal(6 * vocab, stepped.Length);
        var expected = new List<float[]>();
        for (var i = 0; i < row0.Length; i++)
        {
            expected.Add(apart.Decode(1, [row0[i]], [9 + i]).ToArray());
        }

        expected.Add(apart.Prefill(2, Prompts[5], 0));
        expected.Add(apart.Decode(4, [0, 0, 0, 447], [13, 6, 14, 4]).ToArray()[(3 * vocab)..]);
        for (var position = 0; position < expected.Count; position++)
        {
            var actual = stepped.AsSpan(position * vocab, vocab).ToArray();
            Assert.All(expected[position].Zip(actual), pair => Assert.Equal(pair.First, pair.Second, 1e-4f));
            Assert.Equal(MixedStepRuns.ArgMax(expected[position]), MixedStepRuns.ArgMax(actual));
        }
    }

    [Fact]
    public void Step_LogitCountsAboveTheTokensFed_Throws()
    {
        using var session = DecoderSession.Load(DecoderLayout.Read(models.Folder("fp32")), 2, 64, 0, spinning: false);

        Assert.Throws<ArgumentOutOfRangeException>("logitCounts", () => session.Step(2, [1, 2, 3], [2, 1], [0, 0], [3, 1]).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>("logitCounts", () => session.Step(2, [1, 2, 3], [2, 1], [0, 0], [1]).ToArray());
    }

    [Fact]
    public void Step_NoLogitCounts_OneRowEach()
    {
        using var session = DecoderSession.Load(DecoderLayout.Read(models.Folder("fp32")), 3, 64, 0, spinning: false);

        Assert.Equal(3 * session.VocabSize, session.Step(3, [1, 762, 1, 447, 761], [2, 0, 3], [0, 0, 0]).Length);
    }
}
