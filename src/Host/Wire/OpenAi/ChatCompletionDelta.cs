using System.Text.Json.Serialization;

namespace Ember.Host.Wire.OpenAi;

/// <summary>What a <c>chat.completion.chunk</c> adds to the message; absent members are left out.</summary>
/// <param name="Role"><c>assistant</c> on the first chunk; otherwise left out.</param>
/// <param name="Content">The text this chunk adds; left out on the finishing chunk and on tool calls' pieces.</param>
public sealed record ChatCompletionDelta(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Role,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Content)
{
    /// <summary>Gets the pieces of tool calls this chunk adds; left out when none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ChatCompletionToolCall>? ToolCalls { get; init; }
}
