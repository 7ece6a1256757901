using Ember.Host.Errors;
using Ember.Host.Json;
using Ember.Host.Streaming;
using Ember.Host.Wire;
using Ember.Host.Wire.OpenAi;
using Ember.Runtime.Generation;

namespace Ember.Host.Responses;

/// <summary>
/// OpenAI's streamed <c>chat.completion.chunk</c>s: a first chunk with the <c>assistant</c> role, one per piece of text
/// (with its tokens' log probabilities when asked for), a last one with <c>finish_reason</c>, a usage chunk when
/// <c>stream_options.include_usage</c>, then <c>[DONE]</c>. Tool calls stream as OpenAI's: a chunk per call with its
/// <c>index</c>, <c>id</c>, <c>type</c> and <c>function.name</c> (arguments empty), then chunks of <c>function.arguments</c>
/// pieces; the last chunk's <c>finish_reason</c> is then <c>tool_calls</c>.
/// </summary>
public sealed class ChatCompletionStreamResponse : IToolCallResponse
{
    private readonly SseWriter _sse;
    private readonly OpenAiAnswer _answer;
    private readonly bool _withLogprobs;
    private readonly bool _includeUsage;
    private bool _roleSent;
    private IReadOnlyList<ToolCall> _calls = [];

    /// <summary>Creates the response.</summary>
    /// <param name="context">The request.</param>
    /// <param name="answer">The answer's id, time and model.</param>
    /// <param name="withLogprobs">Whether the request asked for log probabilities.</param>
    /// <param name="includeUsage">Whether a usage chunk ends the stream.</param>
    public ChatCompletionStreamResponse(HttpContext context, OpenAiAnswer answer, bool withLogprobs, bool includeUsage)
    {
        _sse = new SseWriter(context);
        _answer = answer;
        _withLogprobs = withLogprobs;
        _includeUsage = includeUsage;
    }

    /// <inheritdoc/>
    public bool Started => _sse.Started;

    /// <inheritdoc/>
    public async Task WriteTextAsync(string text, IReadOnlyList<TextPiece> tokens, CancellationToken cancellationToken)
    {
        await SendRoleAsync(cancellationToken).ConfigureAwait(false);
        ChatLogprobs? logprobs = _withLogprobs ? ChatLogprobs.From(tokens) : null;
        await _sse.WriteAsync(Chunk(new ChatCompletionDelta(null, text), null, logprobs), HostJson.Context.ChatCompletionChunk, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task WriteToolCallAsync(ToolCallEvent callStep, CancellationToken cancellationToken)
    {
        ChatCompletionToolCall? piece = callStep.Kind switch
        {
            ToolCallEventKind.CallStarted => new ChatCompletionToolCall(callStep.Index, callStep.Id, "function", new ChatCompletionFunctionCall(callStep.Text, string.Empty)),
            ToolCallEventKind.Arguments => new ChatCompletionToolCall(callStep.Index, null, null, new ChatCompletionFunctionCall(null, callStep.Text)),
            _ => null,
        };
        if (piece is not null)
        {
            await SendRoleAsync(cancellationToken).ConfigureAwait(false);
            await _sse.WriteAsync(Chunk(new ChatCompletionDelta(null, null) { ToolCalls = [piece] }, null, null), HostJson.Context.ChatCompletionChunk, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public void SetCalls(IReadOnlyList<ToolCall> calls) => _calls = calls ?? throw new ArgumentNullException(nameof(calls));

    /// <inheritdoc/>
    public async Task WriteEndAsync(TextGenerationUsage usage, FinishReason finish, CancellationToken cancellationToken)
    {
        await SendRoleAsync(cancellationToken).ConfigureAwait(false);
        await _sse.WriteAsync(Chunk(new ChatCompletionDelta(null, null), OpenAiAnswer.FinishReasonOf(finish, _calls), null), HostJson.Context.ChatCompletionChunk, cancellationToken).ConfigureAwait(false);
        if (_includeUsage)
        {
            await _sse.WriteAsync(new ChatCompletionChunk(_answer.Id, _answer.Created, _answer.Model, [], WireUsage.From(usage)), HostJson.Context.ChatCompletionChunk, cancellationToken).ConfigureAwait(false);
        }

        await _sse.WriteDoneAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task WriteErrorAsync(ApiError failure, CancellationToken cancellationToken) =>
        _sse.WriteAsync(OpenAiAnswer.ErrorOf(failure), HostJson.Context.OpenAiErrorEnvelope, cancellationToken);

    private async Task SendRoleAsync(CancellationToken cancellationToken)
    {
        if (!_roleSent)
        {
            _roleSent = true;
            await _sse.WriteAsync(Chunk(new ChatCompletionDelta("assistant", string.Empty), null, null), HostJson.Context.ChatCompletionChunk, cancellationToken).ConfigureAwait(false);
        }
    }

    private ChatCompletionChunk Chunk(ChatCompletionDelta delta, string? finishReason, ChatLogprobs? logprobs) =>
        new(_answer.Id, _answer.Created, _answer.Model, [new ChatCompletionChunkChoice(0, delta, finishReason) { Logprobs = logprobs }], null);
}
