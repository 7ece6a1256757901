namespace Ember.Host.Wire.Responses;

/// <summary>A response's <c>usage.output_tokens_details</c>.</summary>
/// <param name="ReasoningTokens">Always 0: the catalog's models do not reason apart.</param>
public sealed record ResponseOutputTokensDetails(int ReasoningTokens);
