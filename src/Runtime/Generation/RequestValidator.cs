using System.Globalization;

namespace Ember.Runtime.Generation;

/// <summary>Checks a request against the task's input schema before anything else happens.</summary>
internal static class RequestValidator
{
    /// <summary>Longest prompt or message content, in characters.</summary>
    public const int MaxTextLength = 131_072;

    /// <summary>Throws <see cref="AiErrorKind.BadInput"/> naming the first rule the request breaks.</summary>
    public static void Validate(TextGenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if ((request.Prompt is null) == (request.Messages is null))
        {
            throw Bad("exactly one of 'prompt' and 'messages' is required");
        }

        if (request.Prompt is { } prompt)
        {
            Require(prompt.Length is >= 1 and <= MaxTextLength, $"prompt: must be 1 to {MaxTextLength} characters long");
            Require(!prompt.Contains('\0', StringComparison.Ordinal), "prompt: must not contain U+0000");
        }

        if (request.Messages is { } messages)
        {
            Require(messages.Count >= 1, "messages: must hold at least one message");
            for (var i = 0; i < messages.Count; i++)
            {
                Require(messages[i] is not null, $"messages[{i}]: must be an object with 'role' and 'content'");
                Require(messages[i].Content.Length <= MaxTextLength, $"messages[{i}].content: must be at most {MaxTextLength} characters long");
                Require(!messages[i].Content.Contains('\0', StringComparison.Ordinal), $"messages[{i}].content: must not contain U+0000");
            }
        }

        Require(request.MaxTokens is null or >= 1, "max_tokens: must be an integer of at least 1");
        Require(request.Temperature is null or (>= 0 and <= 5), "temperature: must be from 0 to 5");
        Require(request.TopP is null or (> 0 and <= 2), "top_p: must be greater than 0 and at most 2");
        Require(request.TopK is null or (>= 1 and <= 50), "top_k: must be an integer from 1 to 50");
        Require(request.Seed is null or (>= 1 and <= 9_999_999_999), "seed: must be an integer from 1 to 9999999999");
        Require(request.RepetitionPenalty is null or (> 0 and <= 2), "repetition_penalty: must be greater than 0 and at most 2");
        Require(request.FrequencyPenalty is null or (>= -2 and <= 2), "frequency_penalty: must be from -2 to 2");
        Require(request.PresencePenalty is null or (>= -2 and <= 2), "presence_penalty: must be from -2 to 2");
        Require(request.TopLogprobs is null or (>= 0 and <= TextGenerationRequest.MaxTopLogprobs), "top_logprobs: must be an integer from 0 to 20");
    }

    private static void Require(bool condition, string rule)
    {
        if (!condition)
        {
            throw Bad(rule);
        }
    }

    private static AiTextGenerationException Bad(string rule) =>
        new(AiErrorKind.BadInput, string.Create(CultureInfo.InvariantCulture, $"Invalid input: {rule}."));
}
