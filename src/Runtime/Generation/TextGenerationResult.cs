namespace Ember.Runtime.Generation;

/// <summary>The whole output of one request.</summary>
/// <param name="Response">The generated text.</param>
/// <param name="Usage">Token counts.</param>
/// <param name="FinishReason">Why generation stopped.</param>
public sealed record TextGenerationResult(string Response, TextGenerationUsage Usage, FinishReason FinishReason);
