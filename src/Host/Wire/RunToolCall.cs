using System.Text.Json;

namespace Ember.Host.Wire;

/// <summary>A tool call in Workers AI's answer: <c>{"name","arguments"}</c>, the arguments an object.</summary>
/// <param name="Name">The tool's name.</param>
/// <param name="Arguments">The arguments.</param>
public sealed record RunToolCall(string Name, JsonElement Arguments)
{
    /// <summary>The wire form of a call.</summary>
    /// <param name="call">The call.</param>
    /// <returns>The wire call.</returns>
    public static RunToolCall From(Ember.Runtime.Generation.ToolCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        using var arguments = JsonDocument.Parse(call.Arguments);
        return new RunToolCall(call.Name, arguments.RootElement.Clone());
    }
}
