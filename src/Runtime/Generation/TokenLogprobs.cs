namespace Ember.Runtime.Generation;

/// <summary>The log probability of a generated token, and of the most likely tokens at its position.</summary>
/// <param name="Chosen">The token generated.</param>
/// <param name="Top">The most likely tokens, most likely first (ties: lower id first); as many as the request asked for, 0 to 20.</param>
public sealed record TokenLogprobs(TokenLogprob Chosen, IReadOnlyList<TokenLogprob> Top);
