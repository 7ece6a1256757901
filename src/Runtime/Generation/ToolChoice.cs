namespace Ember.Runtime.Generation;

/// <summary>A request's <c>tool_choice</c>.</summary>
/// <param name="Mode">Whether and how the model calls tools.</param>
/// <param name="FunctionName">The tool every call names, for <see cref="ToolChoiceMode.Function"/>.</param>
public sealed record ToolChoice(ToolChoiceMode Mode, string? FunctionName = null)
{
    /// <summary>Gets <c>"none"</c>.</summary>
    public static ToolChoice None { get; } = new(ToolChoiceMode.None);

    /// <summary>Gets <c>"auto"</c>.</summary>
    public static ToolChoice Auto { get; } = new(ToolChoiceMode.Auto);

    /// <summary>Gets <c>"required"</c>.</summary>
    public static ToolChoice Required { get; } = new(ToolChoiceMode.Required);

    /// <summary>Calls of the named tool only.</summary>
    /// <param name="name">The tool's name.</param>
    /// <returns>The choice.</returns>
    public static ToolChoice Function(string name) => new(ToolChoiceMode.Function, name);
}
