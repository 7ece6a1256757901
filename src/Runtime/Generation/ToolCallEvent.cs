namespace Ember.Runtime.Generation;

/// <summary>One step of an answer read by <see cref="ToolCallReader"/>.</summary>
/// <param name="Kind">What it carries.</param>
/// <param name="Index">The call's index in the answer (0 for text).</param>
/// <param name="Text">The text, the tool's name (<see cref="ToolCallEventKind.CallStarted"/>) or the piece of arguments; empty for <see cref="ToolCallEventKind.CallDone"/>.</param>
/// <param name="Id">The call's id, on <see cref="ToolCallEventKind.CallStarted"/>.</param>
public readonly record struct ToolCallEvent(ToolCallEventKind Kind, int Index, string Text, string? Id = null);
