namespace Ember.Runtime.Generation;

/// <summary>What an installed model's scheduler can do, as it reports it; callers ask this rather than the scheduler's kind.</summary>
/// <param name="TokenPenalties">Whether it applies <c>frequency_penalty</c> and <c>presence_penalty</c>.</param>
/// <param name="LogprobsUnavailable">Why it cannot report log probabilities, or <see langword="null"/> when it can.</param>
/// <param name="VocabularyUnavailable">
/// Why it cannot constrain tokens to a grammar (structured output and tool calls need each token's bytes), or
/// <see langword="null"/> when it can.
/// </param>
public sealed record ModelAbilities(bool TokenPenalties, string? LogprobsUnavailable, string? VocabularyUnavailable)
{
    /// <summary>Gets a value indicating whether it takes <c>response_format</c> and tools.</summary>
    public bool StructuredOutput => VocabularyUnavailable is null;
}
