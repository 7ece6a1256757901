using Ember.Runtime.Options;

namespace Ember.Runtime.Scheduling;

/// <summary>
/// What a replica's loop can do, as it reports it: callers ask this instead of switching on the scheduler kind or
/// the provider.
/// </summary>
/// <param name="Provider">Where it runs.</param>
/// <param name="TokenPenalties">Whether it applies frequency and presence penalties.</param>
/// <param name="LogprobsUnavailable">Why it cannot report log probabilities, or <see langword="null"/> when it can.</param>
/// <param name="VocabularyUnavailable">
/// Why it cannot constrain tokens to a grammar (structured output, tool calls), which needs each token's bytes, or
/// <see langword="null"/> when it can.
/// </param>
/// <param name="ChunkedPrefill">Whether a prompt is prefilled in chunks between decode steps.</param>
internal sealed record LoopAbilities(ExecutionProvider Provider, bool TokenPenalties, string? LogprobsUnavailable, string? VocabularyUnavailable, bool ChunkedPrefill);
