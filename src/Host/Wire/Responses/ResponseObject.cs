using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ember.Host.Wire.Responses;

/// <summary>
/// The Responses API's <c>response</c> object: the whole answer of <c>POST …/ai/v1/responses</c>, and the snapshot its
/// stream's lifecycle events carry (<c>response.created</c>, <c>response.in_progress</c>, <c>response.completed</c>, …).
/// </summary>
/// <param name="Id">The response id, <c>resp_</c> and 32 hex digits (kept nowhere: Ember's Responses API is stateless).</param>
/// <param name="CreatedAt">Unix seconds when the request was accepted.</param>
/// <param name="Status"><c>in_progress</c>, <c>completed</c>, <c>incomplete</c> (cut by <c>max_output_tokens</c>) or <c>failed</c>.</param>
/// <param name="Error">Why a <c>failed</c> response failed; <see langword="null"/> otherwise.</param>
/// <param name="IncompleteDetails">Why an <c>incomplete</c> response stopped; <see langword="null"/> otherwise.</param>
/// <param name="Instructions">The request's <c>instructions</c>.</param>
/// <param name="MaxOutputTokens">The request's <c>max_output_tokens</c>.</param>
/// <param name="Model">The model id.</param>
/// <param name="Output">The output items: one message, or one or more function calls.</param>
/// <param name="ParallelToolCalls">The request's <c>parallel_tool_calls</c> (default true).</param>
/// <param name="PreviousResponseId">Always <see langword="null"/>: a previous response is refused.</param>
/// <param name="Store">Always false: nothing is stored.</param>
/// <param name="Temperature">The request's <c>temperature</c>.</param>
/// <param name="Text">The request's <c>text</c> (default <c>{"format":{"type":"text"}}</c>).</param>
/// <param name="ToolChoice">The request's <c>tool_choice</c> (default <c>auto</c>).</param>
/// <param name="Tools">The request's <c>tools</c> (default empty).</param>
/// <param name="TopP">The request's <c>top_p</c>.</param>
/// <param name="Truncation">Always <c>disabled</c>: a conversation over the context is refused, never cut.</param>
/// <param name="Usage">Token counts, once the response ended; <see langword="null"/> before.</param>
public sealed record ResponseObject(
    string Id,
    long CreatedAt,
    string Status,
    ResponseError? Error,
    ResponseIncompleteDetails? IncompleteDetails,
    string? Instructions,
    int? MaxOutputTokens,
    string Model,
    IReadOnlyList<ResponseOutputItem> Output,
    bool ParallelToolCalls,
    string? PreviousResponseId,
    bool Store,
    double? Temperature,
    JsonElement Text,
    JsonElement ToolChoice,
    JsonElement Tools,
    double? TopP,
    string Truncation,
    ResponseUsage? Usage)
{
    /// <summary>Gets the object type: <c>response</c>.</summary>
    [JsonPropertyName("object")]
    [JsonPropertyOrder(-1)]
    public string ObjectType => "response";
}
