namespace Ember.Models.Chat;

/// <summary>One call of a tool, as an assistant message holds it.</summary>
/// <remarks>Immutable and safe to share between threads.</remarks>
/// <param name="Id">The call's id, which the tool message answering it names.</param>
/// <param name="Name">The tool's name.</param>
/// <param name="Arguments">The arguments: the JSON text of an object.</param>
public sealed record ChatToolCall(string Id, string Name, string Arguments);
