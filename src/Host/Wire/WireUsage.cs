using Ember.Runtime.Generation;

namespace Ember.Host.Wire;

/// <summary>Token counts as both Workers AI and OpenAI write them: <c>{"prompt_tokens","completion_tokens","total_tokens"}</c>.</summary>
/// <param name="PromptTokens">Tokens of the templated prompt.</param>
/// <param name="CompletionTokens">Tokens generated.</param>
/// <param name="TotalTokens">The sum of the two.</param>
public sealed record WireUsage(int PromptTokens, int CompletionTokens, int TotalTokens)
{
    /// <summary>Gets the prompt tokens served from the prefix cache, in every shape that carries usage.</summary>
    public WirePromptTokensDetails PromptTokensDetails { get; init; } = new(0);

    /// <summary>Converts the runtime's usage.</summary>
    /// <param name="usage">The runtime's counts.</param>
    /// <returns>The wire form.</returns>
    public static WireUsage From(TextGenerationUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        return new WireUsage(usage.PromptTokens, usage.CompletionTokens, usage.TotalTokens) { PromptTokensDetails = new(usage.CachedPromptTokens) };
    }
}
