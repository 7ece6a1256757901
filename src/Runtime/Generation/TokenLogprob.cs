namespace Ember.Runtime.Generation;

/// <summary>
/// A token and its log probability under the model: the log-softmax of the model's raw logits at that position,
/// before temperature, top-k/top-p and penalties.
/// </summary>
/// <param name="TokenId">The token's id.</param>
/// <param name="Token">Its text (a byte token that is part of a character reads as U+FFFD; <paramref name="Bytes"/> is exact).</param>
/// <param name="Bytes">Its UTF-8 bytes.</param>
/// <param name="Logprob">Its natural-log probability, at most 0.</param>
public sealed record TokenLogprob(int TokenId, string Token, IReadOnlyList<byte> Bytes, double Logprob);
