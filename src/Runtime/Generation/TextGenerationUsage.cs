namespace Ember.Runtime.Generation;

/// <summary>Token counts of one request.</summary>
/// <param name="PromptTokens">Tokens of the templated prompt, BOS included.</param>
/// <param name="CompletionTokens">Tokens generated (the end-of-sequence token not counted).</param>
public sealed record TextGenerationUsage(int PromptTokens, int CompletionTokens)
{
    /// <summary>Prompt plus completion tokens.</summary>
    public int TotalTokens => PromptTokens + CompletionTokens;
}
