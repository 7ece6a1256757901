namespace Ember.Host.Wire.OpenAi;

/// <summary>One of the most likely tokens at a position, in a chat completion's <c>logprobs.content[].top_logprobs</c>.</summary>
/// <param name="Token">The token's text.</param>
/// <param name="Logprob">Its natural-log probability.</param>
/// <param name="Bytes">Its UTF-8 bytes, as numbers.</param>
public sealed record ChatTopLogprob(string Token, double Logprob, IReadOnlyList<int> Bytes);
