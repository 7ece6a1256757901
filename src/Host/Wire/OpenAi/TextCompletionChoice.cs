using System.Text.Json.Serialization;

namespace Ember.Host.Wire.OpenAi;

/// <summary>One choice of a <c>text_completion</c>.</summary>
/// <param name="Text">The generated text (or, streamed, the piece this chunk adds).</param>
/// <param name="Index">The choice's index; always 0.</param>
/// <param name="FinishReason"><c>stop</c> or <c>length</c>; <see langword="null"/> on streamed chunks before the last.</param>
public sealed record TextCompletionChoice(string Text, int Index, string? FinishReason)
{
    /// <summary>Gets the log probabilities, when the request asked for them; else <see langword="null"/>.</summary>
    [JsonPropertyOrder(-1)]
    public TextLogprobs? Logprobs { get; init; }
}
