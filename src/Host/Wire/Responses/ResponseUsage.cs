namespace Ember.Host.Wire.Responses;

/// <summary>A response's token counts.</summary>
/// <param name="InputTokens">Tokens of the templated prompt.</param>
/// <param name="InputTokensDetails">Of which were reused from the prefix cache.</param>
/// <param name="OutputTokens">Tokens generated.</param>
/// <param name="OutputTokensDetails">Of which were reasoning (always 0).</param>
/// <param name="TotalTokens">Input and output tokens.</param>
public sealed record ResponseUsage(int InputTokens, ResponseInputTokensDetails InputTokensDetails, int OutputTokens, ResponseOutputTokensDetails OutputTokensDetails, int TotalTokens);
