namespace Ember.Host.Wire.OpenAi;

/// <summary>OpenAI's error body: <c>{"error":{"message","type","param","code"}}</c>.</summary>
/// <param name="Error">The error.</param>
public sealed record OpenAiErrorEnvelope(OpenAiError Error);
