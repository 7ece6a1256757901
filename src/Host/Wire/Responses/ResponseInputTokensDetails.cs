namespace Ember.Host.Wire.Responses;

/// <summary>A response's <c>usage.input_tokens_details</c>.</summary>
/// <param name="CachedTokens">Prompt tokens whose cache entries were reused from an earlier sequence (prefix caching).</param>
public sealed record ResponseInputTokensDetails(int CachedTokens);
