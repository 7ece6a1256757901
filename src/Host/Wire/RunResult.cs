using System.Text.Json.Serialization;

namespace Ember.Host.Wire;

/// <summary>The <c>result</c> of a non-streaming run: <c>{"response":"…","tool_calls":[…],"usage":{…}}</c>.</summary>
/// <param name="Response">The generated text (empty when the answer is tool calls).</param>
/// <param name="Usage">Token counts.</param>
public sealed record RunResult(string Response, WireUsage Usage)
{
    /// <summary>Gets the tool calls; left out when the answer is text.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonPropertyOrder(-1)]
    public IReadOnlyList<RunToolCall>? ToolCalls { get; init; }
}
