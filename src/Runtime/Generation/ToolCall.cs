namespace Ember.Runtime.Generation;

/// <summary>One call the model made.</summary>
/// <param name="Id">The call's id (<c>call_</c> and 24 letters and digits), which the tool's answer names.</param>
/// <param name="Name">The tool's name.</param>
/// <param name="Arguments">The arguments: the compact JSON text of an object valid for the tool's parameters.</param>
public sealed record ToolCall(string Id, string Name, string Arguments);
