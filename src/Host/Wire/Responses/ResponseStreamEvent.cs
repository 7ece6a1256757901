using System.Text.Json.Serialization;

namespace Ember.Host.Wire.Responses;

/// <summary>
/// One event of a streamed response (<c>event: &lt;type&gt;</c>, <c>data: &lt;this&gt;</c>); each type carries the fields
/// OpenAI's does, and the others are left out.
/// </summary>
/// <param name="Type">The event's type, such as <c>response.output_text.delta</c>.</param>
/// <param name="SequenceNumber">The event's place in the stream, from 0.</param>
public sealed record ResponseStreamEvent(string Type, int SequenceNumber)
{
    /// <summary>Gets the response snapshot of a lifecycle event (<c>response.created</c>, <c>response.in_progress</c>, <c>response.completed</c>, <c>response.incomplete</c>, <c>response.failed</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ResponseObject? Response { get; init; }

    /// <summary>Gets the index of the output item the event is about.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? OutputIndex { get; init; }

    /// <summary>Gets the id of the output item the event is about (on part, text and argument events).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ItemId { get; init; }

    /// <summary>Gets the index of the content part the event is about (always 0).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ContentIndex { get; init; }

    /// <summary>Gets the output item (<c>response.output_item.added</c>, <c>.done</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ResponseOutputItem? Item { get; init; }

    /// <summary>Gets the content part (<c>response.content_part.added</c>, <c>.done</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ResponseContentPart? Part { get; init; }

    /// <summary>Gets a piece of text or of arguments (<c>….delta</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Delta { get; init; }

    /// <summary>Gets the whole text (<c>response.output_text.done</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Text { get; init; }

    /// <summary>Gets the whole arguments (<c>response.function_call_arguments.done</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Arguments { get; init; }

    /// <summary>Gets the tool's name (<c>response.function_call_arguments.done</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; init; }

    /// <summary>Gets the text's log probabilities (always empty, on <c>response.output_text.delta</c> and <c>.done</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Logprobs { get; init; }

    /// <summary>Gets an <c>error</c> event's code.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Code { get; init; }

    /// <summary>Gets an <c>error</c> event's message.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Message { get; init; }
}
