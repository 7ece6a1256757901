namespace Ember.Runtime.Generation;

/// <summary>What a <see cref="ToolCallEvent"/> carries.</summary>
public enum ToolCallEventKind
{
    /// <summary>Text of a text answer.</summary>
    Text,

    /// <summary>A call begins: its index, id and tool name.</summary>
    CallStarted,

    /// <summary>A piece of a call's arguments (JSON text; the pieces of one call joined are its arguments).</summary>
    Arguments,

    /// <summary>A call's arguments are whole.</summary>
    CallDone,
}
