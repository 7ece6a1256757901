using Ember.Runtime.Generation;

namespace Ember.Runtime.Scheduling;

/// <summary>
/// How a sequence picks its tokens. Sequences with equal settings can share a batch (a generator has one
/// set of search options); a seeded sampled sequence always runs alone so that its seed reproduces the
/// same text whoever else is being served.
/// </summary>
/// <param name="DoSample">False: greedy decoding.</param>
/// <param name="Temperature">Sampling temperature (ignored when greedy).</param>
/// <param name="TopP">Nucleus mass (ignored when greedy).</param>
/// <param name="TopK">Top-k cut (ignored when greedy).</param>
/// <param name="Seed">Random seed, or <see langword="null"/> for a fresh one.</param>
/// <param name="RepetitionPenalty">Repetition penalty, 1 for none.</param>
/// <param name="FrequencyPenalty">Subtracted per earlier generation of a token, 0 for none.</param>
/// <param name="PresencePenalty">Subtracted once a token was generated, 0 for none.</param>
internal sealed record SamplingSettings(bool DoSample, double Temperature, double TopP, int TopK, long? Seed, double RepetitionPenalty, double FrequencyPenalty = 0, double PresencePenalty = 0)
{
    /// <summary>Greedy decoding without penalty.</summary>
    public static SamplingSettings Greedy { get; } = new(false, 0, 1, 1, null, 1);

    /// <summary>Whether this sequence may share a batch with one of <paramref name="other"/> settings.</summary>
    public bool CanShareBatchWith(SamplingSettings other) => Seed is null && other.Seed is null && Equals(other);

    /// <summary>A seed of up to 10 digits (the API's range) folded into a non-negative 32-bit one, as samplers take.</summary>
    public static int FoldSeed(long seed) => (int)((seed ^ (seed >> 32)) & int.MaxValue);

    /// <summary>Whether a frequency or presence penalty is set (the continuous scheduler's sampler applies them).</summary>
    public bool HasTokenPenalties => FrequencyPenalty != 0 || PresencePenalty != 0;

    /// <summary>
    /// Settings from the request's options, every absent one taking its default from <see cref="RequestFields"/>;
    /// temperature 0 is greedy, and <c>top_p</c> 0 keeps only the most likely token (top-k 1), on either scheduler.
    /// </summary>
    public static SamplingSettings From(TextGenerationRequest request)
    {
        var penalty = request.RepetitionPenalty ?? RequestFields.RepetitionPenalty.Default!.Value;
        var t = request.Temperature ?? RequestFields.Temperature.Default!.Value;
        var topK = request.TopK ?? (int)RequestFields.TopK.Default!.Value;
        var topP = Math.Min(request.TopP ?? RequestFields.TopP.Default!.Value, 1);
        if (topP == 0)
        {
            (topK, topP) = (1, 1);
        }

        var settings = t == 0
            ? Greedy with { RepetitionPenalty = penalty }
            : new SamplingSettings(true, t, topP, topK, request.Seed, penalty);
        return settings with
        {
            FrequencyPenalty = request.FrequencyPenalty ?? RequestFields.FrequencyPenalty.Default!.Value,
            PresencePenalty = request.PresencePenalty ?? RequestFields.PresencePenalty.Default!.Value,
        };
    }
}
