using Ember.Host.Json;
using Ember.Host.Wire.Responses;
using Ember.Runtime.Generation;

namespace Ember.Host.Responses;

/// <summary>
/// The Responses API's whole answer: the <c>response</c> object, written at the end, whose <c>output</c> is the
/// function calls, or one assistant message with its <c>output_text</c>. Calls cut by <c>max_output_tokens</c> are no
/// output: the response is <c>incomplete</c> with an empty <c>output</c>.
/// </summary>
/// <param name="context">The request.</param>
/// <param name="answer">The answer's id, time, model and echoed fields.</param>
public sealed class ResponsesResponse(HttpContext context, ResponsesAnswer answer) : WholeResponse
{
    private bool _calling;

    /// <inheritdoc/>
    public override Task WriteToolCallAsync(ToolCallEvent callStep, CancellationToken cancellationToken)
    {
        _calling = true;
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override Task WriteEndAsync(TextGenerationUsage usage, FinishReason finish, CancellationToken cancellationToken)
    {
        string status = ResponsesAnswer.StatusOf(finish, Calls);
        IReadOnlyList<ResponseOutputItem> output = Calls.Count > 0
            ? [.. Calls.Select(call => ResponsesAnswer.CallItem(call.Id, call.Name, call.Arguments, ResponsesAnswer.Completed))]
            : _calling ? [] : [ResponsesAnswer.MessageItem(ResponsesAnswer.NewMessageId(), Text, status)];
        ResponseObject response = answer.Snapshot(status, output, ResponsesAnswer.UsageOf(usage));
        return context.Response.WriteAsJsonAsync(response, HostJson.Context.ResponseObject, contentType: null, cancellationToken);
    }
}
