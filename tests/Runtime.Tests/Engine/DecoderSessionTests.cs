using Ember.Runtime.Engine;

namespace Ember.Runtime.Tests.Engine;

[Collection(RuntimeTestGroup.Name)]
public sealed class DecoderSessionTests(TinyModelFixture models)
{
    private static readonly int[][] Prompts = [[1, 762, 769, 447], [1, 761, 323, 829, 798, 755, 757, 263, 260], [1, 751]];

    [Theory]
    [InlineData("fp32", 1)]
    [InlineData("fp32", 3)]
    [InlineData("int8", 2)]
    [InlineData("fp16", 3)]
    public void Prefill_InChunks_SameLogitsAndTokensAsWhole(string variant, int chunk)
    {
        var layout = DecoderLayout.Read(models.Folder(variant));
        using var chunked = DecoderSession.Load(layout, 4, 256, 0, spinning: false);
        using var whole = DecoderSession.Load(layout, 4, 256, 0, spinning: false);

        var wholeLogits = Prompts.Select((p, slot) => whole.Prefill(slot, p, 0)).ToArray();
        var chunkedLogits = Prompts.Select((p, slot) => PrefillInChunks(chunked, slot, p, chunk)).ToArray();

        for (var row = 0; row < Prompts.Length; row++)
        {
            Assert.Equal(wholeLogits[row].Length, chunkedLogits[row].Length);
            Assert.All(wholeLogits[row].Zip(chunkedLogits[row]), pair => Assert.Equal(pair.First, pair.Second, 1e-4f));
        }

        Assert.Equal(Decode(whole, wholeLogits), Decode(chunked, chunkedLogits));
    }

    private static float[] PrefillInChunks(DecoderSession session, int slot, int[] prompt, int chunk)
    {
        float[] logits = [];
        for (var done = 0; done < prompt.Length; done += chunk)
        {
            logits = session.Prefill(slot, prompt.AsSpan(done, Math.Min(chunk, prompt.Length - done)), done);
        }

        return logits;
    }

    /// <summary>Eight greedy decode steps of every slot together, from its prefill logits.</summary>
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
