using Ember.Runtime.Engine;
using Ember.Runtime.Scheduling;

namespace Ember.Runtime.Tests.Scheduling;

/// <summary>The log-softmax on hand-made logits, with the tiny model's vocabulary for the texts.</summary>
[Collection(RuntimeTestGroup.Name)]
public sealed class LogprobCalculatorTests(TinyModelFixture models)
{
    [Fact]
    public void Compute_TwoTokensOneToThree_GivesTheirExactLogProbabilities()
    {
        var vocabulary = TokenVocabulary.Read(models.Folder("int8"));
        float[] logits = [0f, MathF.Log(3f), float.NegativeInfinity];

        var result = new LogprobCalculator().Compute(logits, chosen: 0, top: 3, vocabulary);

        Assert.Equal(0, result.Chosen.TokenId);
        Assert.Equal(Math.Log(0.25), result.Chosen.Logprob, 5);
        Assert.Equal([1, 0, 2], result.Top.Select(entry => entry.TokenId));
        Assert.Equal(Math.Log(0.75), result.Top[0].Logprob, 5);
        Assert.Equal(LogprobCalculator.Floor, result.Top[2].Logprob);
    }

    [Fact]
    public void Compute_FullVocabulary_ProbabilitiesSumToOne()
    {
        var vocabulary = TokenVocabulary.Read(models.Folder("int8"));
        var random = new Random(3);
        var logits = Enumerable.Range(0, 1024).Select(_ => (float)(random.NextDouble() * 20 - 10)).ToArray();
        var calculator = new LogprobCalculator();

        var total = Enumerable.Range(0, logits.Length).Sum(id => Math.Exp(calculator.Compute(logits, id, 0, vocabulary).Chosen.Logprob));

        Assert.Equal(1, total, 4);
    }
}
