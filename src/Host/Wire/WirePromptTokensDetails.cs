namespace Ember.Host.Wire;

/// <summary><c>usage.prompt_tokens_details</c>: how many prompt tokens were served from the prefix cache.</summary>
/// <param name="CachedTokens">Prompt tokens whose cache entries were kept from an earlier sequence, not computed again.</param>
public sealed record WirePromptTokensDetails(int CachedTokens);
