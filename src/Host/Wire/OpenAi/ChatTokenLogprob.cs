namespace Ember.Host.Wire.OpenAi;

/// <summary>A generated token in a chat completion's <c>logprobs.content</c>.</summary>
/// <param name="Token">The token's text.</param>
/// <param name="Logprob">Its natural-log probability.</param>
/// <param name="Bytes">Its UTF-8 bytes, as numbers.</param>
/// <param name="TopLogprobs">The most likely tokens at its position (as many as <c>top_logprobs</c> asked).</param>
public sealed record ChatTokenLogprob(string Token, double Logprob, IReadOnlyList<int> Bytes, IReadOnlyList<ChatTopLogprob> TopLogprobs);
