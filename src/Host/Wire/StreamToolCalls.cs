namespace Ember.Host.Wire;

/// <summary>The streamed event of a run's tool calls, sent once they are whole: <c>{"response":"","tool_calls":[…]}</c>.</summary>
/// <param name="ToolCalls">The calls.</param>
public sealed record StreamToolCalls(IReadOnlyList<RunToolCall> ToolCalls)
{
    /// <summary>Gets the text: empty.</summary>
    public string Response => string.Empty;
}
