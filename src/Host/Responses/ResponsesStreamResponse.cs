using System.Text;
using Ember.Host.Errors;
using Ember.Host.Json;
using Ember.Host.Streaming;
using Ember.Host.Wire.Responses;
using Ember.Runtime.Generation;

namespace Ember.Host.Responses;

/// <summary>
/// The Responses API's event stream (each event <c>event: &lt;type&gt;</c> then its data, numbered by
/// <c>sequence_number</c> from 0, no <c>[DONE]</c>): <c>response.created</c> and <c>response.in_progress</c>; for a
/// text answer <c>response.output_item.added</c> (the message), <c>response.content_part.added</c>, one
/// <c>response.output_text.delta</c> per piece, then <c>response.output_text.done</c>,
/// <c>response.content_part.done</c> and <c>response.output_item.done</c>; for calls, per call
/// <c>response.output_item.added</c> (the function call), <c>response.function_call_arguments.delta</c> per piece,
/// <c>response.function_call_arguments.done</c> and <c>response.output_item.done</c>; last <c>response.completed</c>, or
/// <c>response.incomplete</c> when cut by <c>max_output_tokens</c>, with the whole response. A failure after the first
/// event is an <c>error</c> event and <c>response.failed</c>.
/// </summary>
/// <remarks>
/// A call cut by <c>max_output_tokens</c> was added and its pieces sent, but it is never done, and the final response
/// has no output (as the whole answer). Not thread-safe: one instance per request.
/// </remarks>
public sealed class ResponsesStreamResponse : IToolCallResponse
{
    private readonly SseWriter _sse;
    private readonly ResponsesAnswer _answer;
    private readonly StringBuilder _text = new();
    private readonly Dictionary<int, (string Id, string Name, StringBuilder Arguments)> _streamed = [];
    private int _sequence;
    private string? _messageId;
    private IReadOnlyList<ToolCall> _calls = [];

    /// <summary>Creates the response.</summary>
    /// <param name="context">The request.</param>
    /// <param name="answer">The answer's id, time, model and echoed fields.</param>
    public ResponsesStreamResponse(HttpContext context, ResponsesAnswer answer)
    {
        _sse = new SseWriter(context);
        _answer = answer;
    }

    /// <inheritdoc/>
    public bool Started => _sse.Started;

    /// <inheritdoc/>
    public async Task WriteTextAsync(string text, IReadOnlyList<TextPiece> tokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        await OpenMessageAsync(cancellationToken).ConfigureAwait(false);
        if (text.Length > 0)
        {
            _text.Append(text);
            await WriteAsync(Event("response.output_text.delta") with { ItemId = _messageId, OutputIndex = 0, ContentIndex = 0, Delta = text, Logprobs = [] }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async Task WriteToolCallAsync(ToolCallEvent callStep, CancellationToken cancellationToken)
    {
        await StartAsync(cancellationToken).ConfigureAwait(false);
        switch (callStep.Kind)
        {
            case ToolCallEventKind.CallStarted:
                _streamed[callStep.Index] = (callStep.Id!, callStep.Text, new StringBuilder());
                await WriteAsync(Event("response.output_item.added") with { OutputIndex = callStep.Index, Item = ResponsesAnswer.CallItem(callStep.Id!, callStep.Text, string.Empty, ResponsesAnswer.InProgress) }, cancellationToken).ConfigureAwait(false);
                break;
            case ToolCallEventKind.Arguments:
                var (id, name, arguments) = _streamed[callStep.Index];
                arguments.Append(callStep.Text);
                await WriteAsync(Event("response.function_call_arguments.delta") with { ItemId = ResponsesAnswer.CallItem(id, name, string.Empty, ResponsesAnswer.InProgress).Id, OutputIndex = callStep.Index, Delta = callStep.Text }, cancellationToken).ConfigureAwait(false);
                break;
            case ToolCallEventKind.CallDone:
                var call = _streamed[callStep.Index];
                var item = ResponsesAnswer.CallItem(call.Id, call.Name, call.Arguments.ToString(), ResponsesAnswer.Completed);
                await WriteAsync(Event("response.function_call_arguments.done") with { ItemId = item.Id, OutputIndex = callStep.Index, Name = call.Name, Arguments = item.Arguments }, cancellationToken).ConfigureAwait(false);
                await WriteAsync(Event("response.output_item.done") with { OutputIndex = callStep.Index, Item = item }, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    /// <inheritdoc/>
    public void SetCalls(IReadOnlyList<ToolCall> calls) => _calls = calls ?? throw new ArgumentNullException(nameof(calls));

    /// <inheritdoc/>
    public async Task WriteEndAsync(TextGenerationUsage usage, FinishReason finish, CancellationToken cancellationToken)
    {
        string status = ResponsesAnswer.StatusOf(finish, _calls);
        IReadOnlyList<ResponseOutputItem> output;
        if (_streamed.Count > 0)
        {
            output = [.. _calls.Select(call => ResponsesAnswer.CallItem(call.Id, call.Name, call.Arguments, ResponsesAnswer.Completed))];
        }
        else
        {
            await OpenMessageAsync(cancellationToken).ConfigureAwait(false);
            string text = _text.ToString();
            var message = ResponsesAnswer.MessageItem(_messageId!, text, status);
            await WriteAsync(Event("response.output_text.done") with { ItemId = _messageId, OutputIndex = 0, ContentIndex = 0, Text = text, Logprobs = [] }, cancellationToken).ConfigureAwait(false);
            await WriteAsync(Event("response.content_part.done") with { ItemId = _messageId, OutputIndex = 0, ContentIndex = 0, Part = ResponsesAnswer.TextPart(text) }, cancellationToken).ConfigureAwait(false);
            await WriteAsync(Event("response.output_item.done") with { OutputIndex = 0, Item = message }, cancellationToken).ConfigureAwait(false);
            output = [message];
        }

        string type = status == ResponsesAnswer.Incomplete ? "response.incomplete" : "response.completed";
        await WriteAsync(Event(type) with { Response = _answer.Snapshot(status, output, ResponsesAnswer.UsageOf(usage)) }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task WriteErrorAsync(ApiError failure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(failure);
        ResponseError error = ResponsesAnswer.ErrorOf(failure);
        await WriteAsync(Event("error") with { Code = error.Code, Message = error.Message }, cancellationToken).ConfigureAwait(false);
        await WriteAsync(Event("response.failed") with { Response = _answer.Snapshot("failed", [], error: error) }, cancellationToken).ConfigureAwait(false);
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_sse.Started)
        {
            await WriteAsync(Event("response.created") with { Response = _answer.Snapshot(ResponsesAnswer.InProgress, []) }, cancellationToken).ConfigureAwait(false);
            await WriteAsync(Event("response.in_progress") with { Response = _answer.Snapshot(ResponsesAnswer.InProgress, []) }, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task OpenMessageAsync(CancellationToken cancellationToken)
    {
        await StartAsync(cancellationToken).ConfigureAwait(false);
        if (_messageId is null)
        {
            _messageId = ResponsesAnswer.NewMessageId();
            await WriteAsync(Event("response.output_item.added") with { OutputIndex = 0, Item = ResponsesAnswer.MessageItem(_messageId, string.Empty, ResponsesAnswer.InProgress) }, cancellationToken).ConfigureAwait(false);
            await WriteAsync(Event("response.content_part.added") with { ItemId = _messageId, OutputIndex = 0, ContentIndex = 0, Part = ResponsesAnswer.TextPart(string.Empty) }, cancellationToken).ConfigureAwait(false);
        }
    }

    private ResponseStreamEvent Event(string type) => new(type, _sequence++);

    private Task WriteAsync(ResponseStreamEvent value, CancellationToken cancellationToken) =>
        _sse.WriteEventAsync(value.Type, value, HostJson.Context.ResponseStreamEvent, cancellationToken);
}
