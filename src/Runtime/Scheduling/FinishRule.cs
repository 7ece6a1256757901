using Ember.Runtime.Generation;

namespace Ember.Runtime.Scheduling;

/// <summary>
/// When a sequence ends, for both schedulers (<see cref="StepPlanner.Accept"/>, <see cref="WaveRunner"/>): its
/// end-of-sequence token (which is not published), a stop string its published text completed or a structured value
/// no byte can extend, its <c>max_tokens</c>, or the end of its context.
/// </summary>
/// <remarks>Pure; thread-safe.</remarks>
internal static class FinishRule
{
    /// <summary>Whether, and why, the sequence that just picked <paramref name="token"/> ends.</summary>
    /// <param name="token">The token picked.</param>
    /// <param name="eosTokenId">The model's end-of-sequence token.</param>
    /// <param name="stopped">Whether publishing the token completed a stop string, or the structured value is final.</param>
    /// <param name="generated">Tokens generated, this one included.</param>
    /// <param name="maxTokens">The request's <c>max_tokens</c>.</param>
    /// <param name="contextFull">Whether the cache has no room for the token's entry.</param>
    /// <returns>The reason it ends, or <see langword="null"/> while it goes on.</returns>
    public static FinishReason? Decide(int token, int eosTokenId, bool stopped, int generated, int maxTokens, bool contextFull) =>
        token == eosTokenId || stopped ? FinishReason.Stop
        : generated >= maxTokens || contextFull ? FinishReason.Length
        : null;
}
