namespace Ember.Runtime.Generation;

/// <summary>One streamed piece of text: whole UTF-8 characters, possibly empty when a token only
/// started a character.</summary>
/// <param name="Text">The text.</param>
/// <param name="TokenId">The token that completed this piece; −1 for a last piece of no token: text held back as a possible stop string that none completed, and a character still partial when the sequence ended (U+FFFD).</param>
/// <param name="Logprobs">The token's log probabilities, when the request asked for them (<see cref="TextGenerationRequest.TopLogprobs"/>).</param>
public readonly record struct TextPiece(string Text, int TokenId, TokenLogprobs? Logprobs = null);
