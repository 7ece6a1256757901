using System.Text.Json.Serialization;

namespace Ember.Host.Wire.OpenAi;

/// <summary>The assistant message of a <c>chat.completion</c> choice.</summary>
/// <param name="Content">The generated text; <see langword="null"/> when the answer is tool calls.</param>
public sealed record ChatCompletionMessage(string? Content)
{
    /// <summary>Gets the role: always <c>assistant</c>.</summary>
    [JsonPropertyOrder(-1)]
    public string Role => "assistant";

    /// <summary>Gets the tool calls; left out when the answer is text.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ChatCompletionToolCall>? ToolCalls { get; init; }
}
