using System.Text.Json.Serialization;

namespace Ember.Host.Wire.OpenAi;

/// <summary>The choice of a <c>chat.completion.chunk</c>.</summary>
/// <param name="Index">The choice's index; always 0.</param>
/// <param name="Delta">What this chunk adds.</param>
/// <param name="FinishReason"><see langword="null"/> until the last content chunk, then <c>stop</c> or <c>length</c>.</param>
public sealed record ChatCompletionChunkChoice(int Index, ChatCompletionDelta Delta, string? FinishReason)
{
    /// <summary>Gets the log probabilities, when the request asked for them; else <see langword="null"/>.</summary>
    [JsonPropertyOrder(1)]
    public ChatLogprobs? Logprobs { get; init; }
}
