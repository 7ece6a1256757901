namespace Ember.Models.Writing;

/// <summary>How <see cref="LlamaModelWriter"/> makes its pseudo-random weights.</summary>
public sealed record LlamaWriterOptions
{
    /// <summary>The seed Ember's own models are written with.</summary>
    public const ulong DefaultSeed = 20231001;

    /// <summary>The seed of every weight; the same seed always writes the same bytes.</summary>
    public ulong Seed { get; init; } = DefaultSeed;

    /// <summary>
    /// A constant added to the end-of-sequence token's logit. Random weights leave <c>&lt;/s&gt;</c>
    /// unreachable under greedy decoding (its logit is 0 against positive word logits); a bias near the
    /// typical top logit makes sequences end on their own, which is what EOS-finish tests need.
    /// <see langword="null"/> writes no bias node.
    /// </summary>
    public float? EndOfSequenceBias { get; init; }
}
