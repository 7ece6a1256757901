using System.Text.Json.Serialization;

namespace Ember.Host.Wire.OpenAi;

/// <summary>The function of a tool call: its name and its arguments (the JSON text of an object), or a piece of them.</summary>
/// <param name="Name">The tool's name; left out on the pieces after the first.</param>
/// <param name="Arguments">The arguments, or a piece of them.</param>
public sealed record ChatCompletionFunctionCall(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Name,
    string Arguments);
