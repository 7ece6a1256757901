using Ember.Runtime.Engine;

namespace Ember.Runtime.Tests.Engine;

/// <summary>Greedy runs of prompts through <see cref="DecoderSession.Step"/>, and the same prompts run alone.</summary>
internal static class MixedStepRuns
{
    /// <summary>Six prompts of Ember's vocabulary, 4 to 20 tokens.</summary>
    public static readonly int[][] Prompts =
    [
        [1, 762, 769, 447, 761, 323, 829, 798, 755],
        [1, 751, 757, 263, 260, 762],
        [1, 761, 323, 829, 798, 755, 757, 263, 260, 762, 769, 447, 751, 757, 263, 260, 798, 755, 761, 323],
        [1, 447, 761, 323],
        [1, 829, 798, 755, 757],
        [1, 263, 260, 762, 769, 447, 751, 757, 263, 260, 798, 755, 761, 323],
    ];

    /// <summary>
    /// <see cref="Prompts"/> joining <see cref="Staggered"/> on the model in <paramref name="folder"/>: each prompt's
    /// <paramref name="generated"/> greedy tokens equal its <see cref="Solo"/> run's.
    /// </summary>
    public static void AssertStaggeredEqualsSolo(string folder, int chunk, int generated)
    {
        var layout = DecoderLayout.Read(folder);
        using var mixed = DecoderSession.Load(layout, Prompts.Length, 256, 0, spinning: false);
        using var solo = DecoderSession.Load(layout, 1, 256, 0, spinning: false);

        var tokens = Staggered(mixed, Prompts, chunk, generated);

        for (var b = 0; b < Prompts.Length; b++)
        {
            Assert.Equal(Solo(solo, Prompts[b], generated), tokens[b]);
        }
    }

    /// <summary>
    /// Prompt b joins at step 2b in slot b and feeds its prompt <paramref name="chunk"/> tokens a step, beside the others'
    /// chunks and decode tokens, until it has <paramref name="generated"/> greedy tokens; then it idles in its slot.
    /// </summary>
    public static List<int>[] Staggered(DecoderSession session, int[][] prompts, int chunk, int generated)
    {
        var rows = prompts.Length;
        var fedSoFar = new int[rows];
        var tokens = Enumerable.Range(0, rows).Select(_ => new List<int>()).ToArray();
        for (var step = 0; tokens.Any(t => t.Count < generated); step++)
        {
            var counts = new int[rows];
            var past = new int[rows];
            var fed = new List<int>();
            for (var b = 0; b < rows; b++)
            {
                past[b] = fedSoFar[b];
                var prompt = prompts[b];
                if (step < 2 * b || tokens[b].Count == generated)
                {
                    continue;
                }

                counts[b] = fedSoFar[b] < prompt.Length ? Math.Min(chunk, prompt.Length - fedSoFar[b]) : 1;
                fed.AddRange(fedSoFar[b] < prompt.Length ? prompt.AsSpan(fedSoFar[b], counts[b]).ToArray() : [tokens[b][^1]]);
            }

            var logits = session.Step(rows, [.. fed], counts, past).ToArray();
            for (var b = 0; b < rows; b++)
            {
                fedSoFar[b] += counts[b];
                if (counts[b] > 0 && fedSoFar[b] >= prompts[b].Length)
                {
                    tokens[b].Add(ArgMax(logits.AsSpan(b * session.VocabSize, session.VocabSize)));
                }
            }
        }

        return tokens;
    }

    /// <summary>The prompt prefilled whole into slot 0, then <paramref name="count"/> greedy tokens decoded one at a time.</summary>
    public static List<int> Solo(DecoderSession session, int[] prompt, int count)
    {
        var tokens = new List<int> { ArgMax(session.Prefill(0, prompt, 0)) };
        while (tokens.Count < count)
        {
            tokens.Add(ArgMax(session.Decode(1, [tokens[^1]], [prompt.Length + tokens.Count - 1])));
        }

        return tokens;
    }

    /// <summary>The index of the largest value (the first of equals).</summary>
    public static int ArgMax(ReadOnlySpan<float> values) => System.Numerics.Tensors.TensorPrimitives.IndexOfMax(values);
}
