using Ember.Models.Chat;
using Ember.Runtime.Generation;
using Ember.Runtime.Pool;

namespace Ember.Runtime.Service;

/// <summary>
/// Turns a validated request into what the scheduler runs: the templated prompt's tokens and the token
/// budget, with the model's limits applied before anything is queued.
/// </summary>
internal static class RequestPlanner
{
    /// <summary>The prompt tokens and <c>max_tokens</c> of <paramref name="request"/> on <paramref name="model"/>.</summary>
    /// <exception cref="AiTextGenerationException">Bad input, or a limit is exceeded.</exception>
    public static (int[] PromptTokens, int MaxTokens) Plan(ServedModel model, TextGenerationRequest request)
    {
        string text;
        try
        {
            // The tools are shown to the model unless tool_choice is none (docs/tools.md).
            var tools = request.EffectiveToolChoice.Mode == ToolChoiceMode.None ? null : request.Tools;
            text = request.Prompt is { } prompt
                ? tools is null ? PromptBuilder.FromPrompt(model.Template, prompt, request.Raw) : PromptBuilder.FromMessages(model.Template, [new ChatMessage(ChatRole.User, prompt)], tools)
                : PromptBuilder.FromMessages(model.Template, request.Messages!, tools);
        }
        catch (ArgumentException e)
        {
            throw new AiTextGenerationException(AiErrorKind.BadInput, $"Invalid input: {e.Message}", e);
        }

        var tokens = model.Replicas[0].Model.Encode(text);
        if (tokens.Length == 0)
        {
            throw new AiTextGenerationException(AiErrorKind.BadInput, "Invalid input: the prompt has no tokens.");
        }

        var limits = model.Limits;
        var id = model.Entry.Id;
        if (request.MaxTokens is { } asked)
        {
            // RequestValidator has checked max_tokens against the sequence tokens limit.
            if (tokens.Length + asked > limits.ContextTokensLimit)
            {
                throw Limit($"the prompt's {tokens.Length} tokens plus max_tokens {asked} exceed the context tokens limit of {id}, {limits.ContextTokensLimit}.");
            }

            return (tokens, asked);
        }

        // A defaulted budget shrinks to what the context leaves rather than failing a request that asked for nothing.
        var room = limits.ContextTokensLimit - tokens.Length;
        if (room < 1)
        {
            throw Limit($"the prompt's {tokens.Length} tokens leave no room under the context tokens limit of {id}, {limits.ContextTokensLimit}.");
        }

        return (tokens, Math.Min(limits.GetDefaultMaxTokens(request.Stream), room));
    }

    private static AiTextGenerationException Limit(string message) => new(AiErrorKind.LimitExceeded, "Limit exceeded: " + message);
}
