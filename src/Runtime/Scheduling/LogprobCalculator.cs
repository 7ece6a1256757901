using System.Numerics.Tensors;
using Ember.Runtime.Engine;
using Ember.Runtime.Generation;

namespace Ember.Runtime.Scheduling;

/// <summary>Log probabilities of a position's tokens from its raw logits (log-softmax), for requests that ask for them.</summary>
/// <remarks>
/// Vectorised (every sequence in the batch waits for it on the scheduler's thread). A log probability that is not
/// finite (a -inf logit, or a model that overflowed) is reported as <see cref="Floor"/>, as OpenAI does, since JSON
/// has no infinity. One scratch buffer per calculator: use one per scheduler thread.
/// </remarks>
internal sealed class LogprobCalculator
{
    /// <summary>The log probability reported for a token with none.</summary>
    public const double Floor = -9999.0;

    private float[] _scratch = [];

    /// <summary>The log probability of <paramref name="chosen"/> and of the <paramref name="top"/> most likely tokens.</summary>
    /// <param name="logits">The position's raw logits.</param>
    /// <param name="chosen">The token generated there.</param>
    /// <param name="top">How many alternatives, 0..20.</param>
    /// <param name="vocabulary">Gives each token's text and bytes.</param>
    public TokenLogprobs Compute(ReadOnlySpan<float> logits, int chosen, int top, TokenVocabulary vocabulary)
    {
        if (_scratch.Length != logits.Length)
        {
            _scratch = new float[logits.Length];
        }

        var max = TensorPrimitives.Max(logits);
        TensorPrimitives.Subtract(logits, max, _scratch);
        TensorPrimitives.Exp(_scratch, _scratch);
        var logSumExp = max + Math.Log(TensorPrimitives.Sum<float>(_scratch));
        var alternatives = top == 0 ? [] : TokenSampler.TopK(logits, Math.Min(top, logits.Length));
        var entries = new TokenLogprob[alternatives.Length];
        for (var i = 0; i < alternatives.Length; i++)
        {
            entries[i] = vocabulary.Entry(alternatives[i], Finite(logits[alternatives[i]] - logSumExp));
        }

        return new TokenLogprobs(vocabulary.Entry(chosen, Finite(logits[chosen] - logSumExp)), entries);
    }

    private static double Finite(double logprob) => double.IsFinite(logprob) ? Math.Min(logprob, 0) : Floor;
}
