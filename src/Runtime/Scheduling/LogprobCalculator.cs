using Ember.Runtime.Engine;
using Ember.Runtime.Generation;

namespace Ember.Runtime.Scheduling;

/// <summary>Log probabilities of a position's tokens from its raw logits (log-softmax), for requests that ask for them.</summary>
/// <remarks>Stateless.</remarks>
internal static class LogprobCalculator
{
    /// <summary>The log probability of <paramref name="chosen"/> and of the <paramref name="top"/> most likely tokens.</summary>
    /// <param name="logits">The position's raw logits.</param>
    /// <param name="chosen">The token generated there.</param>
    /// <param name="top">How many alternatives, 0..20.</param>
    /// <param name="vocabulary">Gives each token's text and bytes.</param>
    public static TokenLogprobs Compute(ReadOnlySpan<float> logits, int chosen, int top, TokenVocabulary vocabulary)
    {
        var max = float.NegativeInfinity;
        foreach (var logit in logits)
        {
            max = Math.Max(max, logit);
        }

        var sum = 0.0;
        foreach (var logit in logits)
        {
            sum += Math.Exp(logit - max);
        }

        var logSumExp = max + Math.Log(sum);
        var alternatives = top == 0 ? [] : TokenSampler.TopK(logits, Math.Min(top, logits.Length));
        var entries = new TokenLogprob[alternatives.Length];
        for (var i = 0; i < alternatives.Length; i++)
        {
            entries[i] = vocabulary.Entry(alternatives[i], logits[alternatives[i]] - logSumExp);
        }

        return new TokenLogprobs(vocabulary.Entry(chosen, logits[chosen] - logSumExp), entries);
    }
}
