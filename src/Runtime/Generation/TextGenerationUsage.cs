namespace Ember.Runtime.Generation;

/// <summary>Token counts of one request.</summary>
/// <param name="PromptTokens">Tokens of the templated prompt, BOS included.</param>
/// <param name="CompletionTokens">Tokens generated (the end-of-sequence token not counted).</param>
public sealed record TextGenerationUsage(int PromptTokens, int CompletionTokens)
{
    /// <summary>Prompt plus completion tokens.</summary>
    public int TotalTokens => PromptTokens + CompletionTokens;

    /// <summary>Gets how many of the prompt tokens were not computed again: their cache entries were kept from an earlier sequence sharing them (prefix caching).</summary>
    public int CachedPromptTokens { get; init; }
}
