using Ember.Runtime.Engine;

namespace Ember.Runtime.Tests.Engine;

/// <summary>Mixed steps on the tiny shape around the real Llama 2 tokenizer (32,000 logits a row).</summary>
[Collection(RealVocabularyTestGroup.Name)]
public sealed class RealVocabularyMixedStepTests(RealVocabularyModelFixture models)
{
    // Llama 2 ids of "Hello, how are you?", "The capital of France is", and a longer line of the same words.
    private static readonly int[][] Prompts =
    [
        [1, 15043, 29892, 920, 526, 366, 29973],
        [1, 450, 7483, 310, 3444, 338],
        [1, 450, 7483, 310, 3444, 338, 15043, 29892, 920, 526, 366, 29973, 450, 7483, 310, 3444, 338, 920, 526, 366],
    ];

    [Theory]
    [InlineData("fp32", 4)]
    [InlineData("int4", 6)]
    public void Step_SequencesJoiningInChunks_GreedyTokensSameAsSoloRuns(string variant, int chunk)
    {
        const int Generated = 10;
        var layout = DecoderLayout.Read(models.Folder(variant));
        using var mixed = DecoderSession.Load(layout, Prompts.Length, 128, 0, spinning: false);
        using var solo = DecoderSession.Load(layout, 1, 128, 0, spinning: false);

        var tokens = MixedStepRuns.Staggered(mixed, Prompts, chunk, Generated);

        Assert.Equal(32000, mixed.VocabSize);
        for (var b = 0; b < Prompts.Length; b++)
        {
            Assert.Equal(MixedStepRuns.Solo(solo, Prompts[b], Generated), tokens[b]);
        }
    }
}
