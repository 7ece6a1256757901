using System.Text.Json.Serialization;

namespace Ember.Host.Wire.OpenAi;

/// <summary>The assistant message of a <c>chat.completion</c> choice.</summary>
/// <param name="Content">The generated text.</param>
public sealed record ChatCompletionMessage(string Content)
{
    /// <summary>Gets the role: always <c>assistant</c>.</summary>
    [JsonPropertyOrder(-1)]
    public string Role => "assistant";
}
