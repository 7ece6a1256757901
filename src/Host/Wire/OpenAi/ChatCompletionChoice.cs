using System.Text.Json.Serialization;

namespace Ember.Host.Wire.OpenAi;

/// <summary>One choice of a <c>chat.completion</c>.</summary>
/// <param name="Index">The choice's index; always 0.</param>
/// <param name="Message">The assistant's message.</param>
/// <param name="FinishReason"><c>stop</c> or <c>length</c>.</param>
public sealed record ChatCompletionChoice(int Index, ChatCompletionMessage Message, string FinishReason)
{
    /// <summary>Gets the log probabilities, when the request asked for them; else <see langword="null"/>.</summary>
    [JsonPropertyOrder(1)]
    public ChatLogprobs? Logprobs { get; init; }
}
