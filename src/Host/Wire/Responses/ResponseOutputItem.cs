using System.Text.Json.Serialization;

namespace Ember.Host.Wire.Responses;

/// <summary>
/// One item of a response's <c>output</c>: a <c>message</c> (<c>role</c>, <c>content</c>) or a <c>function_call</c>
/// (<c>call_id</c>, <c>name</c>, <c>arguments</c>); the fields of the other kind are left out.
/// </summary>
/// <param name="Type"><c>message</c> or <c>function_call</c>.</param>
/// <param name="Id">The item's id: <c>msg_</c> or <c>fc_</c> and hex digits.</param>
/// <param name="Status"><c>in_progress</c>, <c>completed</c> or <c>incomplete</c>.</param>
/// <param name="Role">A message's role, <c>assistant</c>.</param>
/// <param name="Content">A message's parts: one <c>output_text</c>.</param>
/// <param name="CallId">A call's id (<c>call_</c> and 24 hex digits), which its <c>function_call_output</c> names.</param>
/// <param name="Name">A call's tool name.</param>
/// <param name="Arguments">A call's arguments, the JSON text of an object valid for the tool's parameters.</param>
public sealed record ResponseOutputItem(
    string Type,
    string Id,
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Role,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ResponseContentPart>? Content,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? CallId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Name,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Arguments);
