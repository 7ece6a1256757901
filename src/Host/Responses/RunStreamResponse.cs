using Ember.Host.Errors;
using Ember.Host.Json;
using Ember.Host.Streaming;
using Ember.Host.Wire;
using Ember.Runtime.Generation;

namespace Ember.Host.Responses;

/// <summary>
/// Workers AI's streamed answer: <c>data: {"response":"…"}</c> per piece of text, then
/// <c>data: {"response":"","usage":{…}}</c> and <c>data: [DONE]</c>; tool calls go in one event once whole,
/// <c>data: {"response":"","tool_calls":[{"name","arguments"}]}</c>, before the usage. A failure after the first byte is
/// <c>data: {"error":{"code","message"}}</c>.
/// </summary>
/// <param name="context">The request.</param>
public sealed class RunStreamResponse(HttpContext context) : IToolCallResponse
{
    private readonly SseWriter _sse = new(context);
    private IReadOnlyList<ToolCall> _calls = [];

    /// <inheritdoc/>
    public bool Started => _sse.Started;

    /// <inheritdoc/>
    public Task WriteTextAsync(string text, IReadOnlyList<TextPiece> tokens, CancellationToken cancellationToken) =>
        text.Length == 0 ? Task.CompletedTask : _sse.WriteAsync(new StreamPiece(text), HostJson.Context.StreamPiece, cancellationToken);

    /// <inheritdoc/>
    public Task WriteToolCallAsync(ToolCallEvent callStep, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public void SetCalls(IReadOnlyList<ToolCall> calls) => _calls = calls ?? throw new ArgumentNullException(nameof(calls));

    /// <inheritdoc/>
    public async Task WriteEndAsync(TextGenerationUsage usage, FinishReason finish, CancellationToken cancellationToken)
    {
        if (_calls.Count > 0)
        {
            await _sse.WriteAsync(new StreamToolCalls([.. _calls.Select(RunToolCall.From)]), HostJson.Context.StreamToolCalls, cancellationToken).ConfigureAwait(false);
        }

        await _sse.WriteAsync(new StreamFinal(WireUsage.From(usage)), HostJson.Context.StreamFinal, cancellationToken).ConfigureAwait(false);
        await _sse.WriteDoneAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task WriteErrorAsync(ApiError failure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return _sse.WriteAsync(new StreamError(new ApiErrorItem(failure.Code, failure.Message)), HostJson.Context.StreamError, cancellationToken);
    }
}
