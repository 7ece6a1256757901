using Ember.Runtime.Structured;

namespace Ember.Runtime.Scheduling;

/// <summary>
/// Picks one sequence's next token from its logits: greedy (argmax), or temperature / top-k / top-p sampling
/// from the sequence's own random stream, after optional repetition (HF), frequency and presence (OpenAI) penalties. Because each sequence owns its
/// stream, a seeded request produces the same text whichever sequences it is batched with.
/// </summary>
/// <remarks>One per sequence; used by the scheduler thread only.</remarks>
internal sealed class TokenSampler
{
    private readonly SamplingSettings _settings;
    private readonly Random _random;
    private readonly HashSet<int> _seen = [];
    private readonly Dictionary<int, int> _generated = [];
    private readonly ConstrainedDecoding? _constraint;
    private float[] _scratch = [];
    private float[] _masked = [];

    /// <summary>Creates a sampler; <paramref name="promptTokens"/> count as seen for the repetition penalty.</summary>
    /// <param name="settings">How to pick.</param>
    /// <param name="promptTokens">The prompt.</param>
    /// <param name="constraint">Structured output: tokens the constraint refuses are never picked; sampling applies to the rest.</param>
    public TokenSampler(SamplingSettings settings, ReadOnlySpan<int> promptTokens, ConstrainedDecoding? constraint = null)
    {
        _settings = settings;
        _constraint = constraint;
        _random = settings.Seed is { } seed ? new Random(SamplingSettings.FoldSeed(seed)) : new Random();
        if (settings.RepetitionPenalty != 1)
        {
            foreach (var token in promptTokens)
            {
                _seen.Add(token);
            }
        }
    }

    /// <summary>Gets a value indicating whether a structured-output value is complete and cannot go on: the sequence ends.</summary>
    public bool ConstraintFinal => _constraint?.IsFinal ?? false;

    /// <summary>The next token for <paramref name="logits"/>, which is left unchanged.</summary>
    public int Next(ReadOnlySpan<float> logits)
    {
        if (_constraint is { } constraint)
        {
            if (_masked.Length != logits.Length)
            {
                _masked = new float[logits.Length];
            }

            logits.CopyTo(_masked);
            constraint.Mask(_masked);
            logits = _masked;
        }

        var token = _settings.DoSample || _settings.RepetitionPenalty != 1 || _settings.HasTokenPenalties ? Pick(logits) : ArgMax(logits);
        if (float.IsNegativeInfinity(logits[token]))
        {
            // Sampling over scores of which some are −∞ (masked) can only land on one when fewer than top-k remain.
            token = ArgMax(logits);
        }

        _constraint?.Accept(token);
        if (_settings.RepetitionPenalty != 1)
        {
            _seen.Add(token);
        }

        if (_settings.HasTokenPenalties)
        {
            _generated[token] = _generated.GetValueOrDefault(token) + 1;
        }

        return token;
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>The ids of the <paramref name="k"/> highest scores, highest first; among equal scores the lower id first.</summary>
    internal static int[] TopK(ReadOnlySpan<float> scores, int k)
    {
        var top = new int[k];
        var count = 0;
        for (var id = 0; id < scores.Length; id++)
        {
            if (count == k && scores[id] <= scores[top[k - 1]])
            {
                continue;
            }

            var at = count < k ? count++ : k - 1;
            while (at > 0 && scores[id] > scores[top[at - 1]])
            {
                top[at] = top[at - 1];
                at--;
            }

            top[at] = id;
        }

        return top;
    }

    private int Pick(ReadOnlySpan<float> logits)
    {
        if (_scratch.Length != logits.Length)
        {
            _scratch = new float[logits.Length];
        }

        var scores = _scratch.AsSpan();
        logits.CopyTo(scores);
        var penalty = (float)_settings.RepetitionPenalty;
        foreach (var token in _seen)
        {
            scores[token] = scores[token] > 0 ? scores[token] / penalty : scores[token] * penalty;
        }

        foreach (var (token, count) in _generated)
        {
            scores[token] -= (float)((count * _settings.FrequencyPenalty) + _settings.PresencePenalty);
        }

        if (!_settings.DoSample)
        {
            return ArgMax(scores);
        }

        // Top-k by score (ties to the lower id), then softmax at the temperature, then the smallest prefix holding top-p of the mass.
        var k = Math.Clamp(_settings.TopK, 1, scores.Length);
        var top = TopK(scores, k);
        var max = scores[top[0]];
        var weights = new double[k];
        var total = 0.0;
        for (var i = 0; i < k; i++)
        {
            weights[i] = Math.Exp((scores[top[i]] - max) / _settings.Temperature);
            total += weights[i];
        }

        var kept = k;
        if (_settings.TopP < 1)
        {
            var mass = 0.0;
            for (var i = 0; i < k; i++)
            {
                mass += weights[i] / total;
                if (mass >= _settings.TopP)
                {
                    kept = i + 1;
                    break;
                }
            }

            total = weights.AsSpan(0, kept).ToArray().Sum();
        }

        var draw = _random.NextDouble() * total;
        for (var i = 0; i < kept; i++)
        {
            draw -= weights[i];
            if (draw <= 0)
            {
                return top[i];
            }
        }

        return top[kept - 1];
    }
}
