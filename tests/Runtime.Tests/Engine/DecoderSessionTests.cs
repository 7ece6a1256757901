using Ember.Runtime.Engine;

namespace Ember.Runtime.Tests.Engine;

[Collection(RuntimeTestGroup.Name)]
public sealed class DecoderSessionTests(TinyModelFixture models)
{
    private static readonly int[][] Prompts = [[1, 762, 769, 447], [1, 761, 323, 829, 798, 755, 757, 263, 260], [1, 751]];

    [Theory]
    [InlineData("fp32")]
    [InlineData("int8")]
    public void Prefill_PromptsTogether_SameLogitsAndTokensAsEachAlone(string variant)
    {
        var layout = DecoderLayout.Read(models.Folder(variant));
        using var together = DecoderSession.Load(layout, 4, 256, 0);
        using var alone = DecoderSession.Load(layout, 4, 256, 0);

        var batchLogits = together.Prefill(0, Prompts);
        var soloLogits = Prompts.Select((p, slot) => alone.Prefill(slot, [p])[0]).ToArray();

        for (var row = 0; row < Prompts.Length; row++)
        {
            Assert.Equal(soloLogits[row].Length, batchLogits[row].Length);
            Assert.All(soloLogits[row].Zip(batchLogits[row]), pair => Assert.Equal(pair.First, pair.Second, 1e-4f));
        }

        Assert.Equal(Decode(alone, soloLogits), Decode(together, batchLogits));
    }

    /// <summary>Eight greedy decode steps of every slot from its prefill logits.</summary>
    private static int[][] Decode(DecoderSession session, float[][] prefill)
    {
        var rows = prefill.Length;
        var next = prefill.Select(ArgMax).ToArray();
        var lengths = Prompts.Select(p => p.Length).ToArray();
        var tokens = Enumerable.Range(0, rows).Select(_ => new List<int>()).ToArray();
        for (var step = 0; step < 8; step++)
        {
            for (var row = 0; row < rows; row++)
            {
                tokens[row].Add(next[row]);
            }

            var logits = session.Decode(rows, next, lengths).ToArray();
            for (var row = 0; row < rows; row++)
            {
                lengths[row]++;
                next[row] = ArgMax(logits.AsSpan(row * session.VocabSize, session.VocabSize).ToArray());
            }
        }

        return [.. tokens.Select(t => t.ToArray())];
    }

    private static int ArgMax(float[] values) => Array.IndexOf(values, values.Max());
}
