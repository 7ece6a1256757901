using Ember.Models.Writing;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace Ember.Models.Tests.Writing;

/// <summary>Greedy decoding through ORT GenAI's <see cref="Generator"/>, as the tests' oracle.</summary>
internal static class GreedyDecoder
{
    /// <summary>Decodes one prompt greedily until <c>&lt;/s&gt;</c> or <paramref name="maxNewTokens"/> new tokens.</summary>
    /// <returns>The generated ids (<c>&lt;/s&gt;</c> not included: a batch of one leaves it out of the sequence),
    /// whether the generator was done, and the last token it picked.</returns>
    public static GreedyRun Run(Model model, int[] promptIds, int maxNewTokens)
    {
        using var parameters = new GeneratorParams(model);
        parameters.SetSearchOption("max_length", promptIds.Length + maxNewTokens);
        using var generator = new Generator(model, parameters);
        generator.AppendTokens(promptIds);
        var last = -1;
        var steps = 0;
        while (!generator.IsDone())
        {
            Assert.True(++steps <= maxNewTokens, "The generator ran past max_length.");
            generator.GenerateNextToken();
            last = generator.GetNextTokens()[0];
        }

        var sequence = generator.GetSequence(0).ToArray();
        Assert.Equal(promptIds, sequence[..promptIds.Length]);
        return new GreedyRun(sequence[promptIds.Length..], generator.IsDone(), last);
    }

    /// <summary>
    /// Decodes several prompts as one batch: right-padded with <c>&lt;unk&gt;</c> (the pad id) to the longest,
    /// appended flat, <c>batch_size</c> set.
    /// </summary>
    /// <returns>Per row, the ids generated after the padded prompts (a row that ended holds <c>&lt;/s&gt;</c> then pads).</returns>
    public static int[][] RunBatch(Model model, int[][] promptIds, int maxNewTokens)
    {
        var width = promptIds.Max(p => p.Length);
        var flat = promptIds.SelectMany(p => p.Concat(Enumerable.Repeat(LlamaVocabulary.UnkId, width - p.Length))).ToArray();
        using var parameters = new GeneratorParams(model);
        parameters.SetSearchOption("batch_size", promptIds.Length);
        parameters.SetSearchOption("max_length", width + maxNewTokens);
        using var generator = new Generator(model, parameters);
        generator.AppendTokens(flat);
        while (!generator.IsDone())
        {
            generator.GenerateNextToken();
        }

        return [.. Enumerable.Range(0, promptIds.Length).Select(row => generator.GetSequence((ulong)row).ToArray()[width..])];
    }

    /// <summary>How many leading ids two runs share.</summary>
    public static int MatchingPrefix(int[] first, int[] second) => first.Zip(second).TakeWhile(pair => pair.First == pair.Second).Count();
}
