using System.Text.Json.Serialization;

namespace Ember.Host.Wire.OpenAi;

/// <summary>
/// A tool call of a <c>chat.completion</c> message (<c>{id, type, function}</c>), or a piece of one in a chunk's delta
/// (<c>index</c>, then only what the piece adds).
/// </summary>
/// <param name="Index">The call's index, in a chunk; left out in a whole message.</param>
/// <param name="Id">The call's id; left out on the pieces after the first.</param>
/// <param name="Type"><c>function</c>; left out on the pieces after the first.</param>
/// <param name="Function">The name and (a piece of) the arguments.</param>
public sealed record ChatCompletionToolCall(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Index,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Id,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Type,
    ChatCompletionFunctionCall Function);
