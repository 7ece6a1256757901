using Ember.Host.Errors;
using Ember.Host.Validation;
using Ember.Host.Wire.Responses;
using Ember.Runtime.Generation;

namespace Ember.Host.Responses;

/// <summary>
/// What every snapshot of one Responses API answer repeats (its id, time, model and the request's echoed fields), and
/// the items, statuses and usage both its shapes (whole and streamed) build the same way.
/// </summary>
/// <param name="Id">The response id, <c>resp_</c> and 32 hex digits.</param>
/// <param name="CreatedAt">Unix seconds when the request was accepted.</param>
/// <param name="Model">The model id.</param>
/// <param name="Echo">The request's fields the response repeats.</param>
public sealed record ResponsesAnswer(string Id, long CreatedAt, string Model, ResponsesEcho Echo)
{
    /// <summary>A snapshot of the response.</summary>
    /// <param name="status"><c>in_progress</c>, <c>completed</c>, <c>incomplete</c> or <c>failed</c>.</param>
    /// <param name="output">The output items so far.</param>
    /// <param name="usage">The token counts, once ended.</param>
    /// <param name="error">Why it failed.</param>
    /// <returns>The response object.</returns>
    public ResponseObject Snapshot(string status, IReadOnlyList<ResponseOutputItem> output, ResponseUsage? usage = null, ResponseError? error = null) => new(
        Id,
        CreatedAt,
        status,
        error,
        status == Incomplete ? new ResponseIncompleteDetails("max_output_tokens") : null,
        Echo.Instructions,
        Echo.MaxOutputTokens,
        Model,
        output,
        Echo.ParallelToolCalls,
        null,
        false,
        Echo.Temperature,
        Echo.Text,
        Echo.ToolChoice,
        Echo.Tools,
        Echo.TopP,
        "disabled",
        usage);

    /// <summary>The status <c>incomplete</c>: the answer ran into <c>max_output_tokens</c>.</summary>
    public const string Incomplete = "incomplete";

    /// <summary>The status <c>completed</c>.</summary>
    public const string Completed = "completed";

    /// <summary>The status <c>in_progress</c>.</summary>
    public const string InProgress = "in_progress";

    /// <summary>The response's status at its end.</summary>
    /// <param name="finish">Why generation ended.</param>
    /// <param name="calls">The answer's whole calls.</param>
    /// <returns><c>completed</c>, or <c>incomplete</c> when cut by <c>max_output_tokens</c> (calls are whole only when not cut).</returns>
    public static string StatusOf(FinishReason finish, IReadOnlyList<ToolCall> calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        return finish == FinishReason.Length && calls.Count == 0 ? Incomplete : Completed;
    }

    /// <summary>The assistant message item of a text answer.</summary>
    /// <param name="id">The item's id.</param>
    /// <param name="text">Its text; empty while it streams.</param>
    /// <param name="status">The item's status.</param>
    /// <returns>The item; its content is empty while <paramref name="status"/> is in progress.</returns>
    public static ResponseOutputItem MessageItem(string id, string text, string status) =>
        new("message", id, status, "assistant", status == InProgress ? [] : [TextPart(text)], null, null, null);

    /// <summary>An <c>output_text</c> part.</summary>
    /// <param name="text">Its text.</param>
    /// <returns>The part.</returns>
    public static ResponseContentPart TextPart(string text) => new("output_text", text, [], []);

    /// <summary>A function call item.</summary>
    /// <param name="callId">The call's id.</param>
    /// <param name="name">The tool's name.</param>
    /// <param name="arguments">The arguments so far.</param>
    /// <param name="status">The item's status.</param>
    /// <returns>The item, whose id is <c>fc_</c> and the call id's hex digits.</returns>
    public static ResponseOutputItem CallItem(string callId, string name, string arguments, string status)
    {
        ArgumentNullException.ThrowIfNull(callId);
        return new("function_call", "fc_" + callId[(callId.IndexOf('_', StringComparison.Ordinal) + 1)..], status, null, null, callId, name, arguments);
    }

    /// <summary>A new message item id, <c>msg_</c> and 32 hex digits.</summary>
    /// <returns>The id.</returns>
    public static string NewMessageId() => "msg_" + Guid.NewGuid().ToString("N");

    /// <summary>The Responses API's usage of the runtime's counts.</summary>
    /// <param name="usage">The counts.</param>
    /// <returns>The usage, with the prompt's cached tokens.</returns>
    public static ResponseUsage UsageOf(TextGenerationUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        return new(usage.PromptTokens, new ResponseInputTokensDetails(usage.CachedPromptTokens), usage.CompletionTokens, new ResponseOutputTokensDetails(0), usage.TotalTokens);
    }

    /// <summary>A failed response's <c>error</c>.</summary>
    /// <param name="failure">The client-facing error.</param>
    /// <returns>The error, with Ember's code as text.</returns>
    public static ResponseError ErrorOf(ApiError failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return new(failure.Code.ToString(System.Globalization.CultureInfo.InvariantCulture), failure.Message);
    }
}
