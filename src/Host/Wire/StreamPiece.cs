namespace Ember.Host.Wire;

/// <summary>One streamed event of a run: <c>{"response":"&lt;piece&gt;"}</c>.</summary>
/// <param name="Response">The piece of text.</param>
public sealed record StreamPiece(string Response);
