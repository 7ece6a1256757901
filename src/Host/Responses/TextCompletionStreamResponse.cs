using Ember.Host.Errors;
using Ember.Host.Json;
using Ember.Host.Streaming;
using Ember.Host.Wire;
using Ember.Host.Wire.OpenAi;
using Ember.Runtime.Generation;

namespace Ember.Host.Responses;

/// <summary>
/// OpenAI's streamed <c>text_completion</c> objects: one per piece of text (with its tokens' log probabilities and
/// their offsets in the whole text when asked for), a last one with <c>finish_reason</c>, a usage object when
/// <c>stream_options.include_usage</c>, then <c>[DONE]</c>.
/// </summary>
public sealed class TextCompletionStreamResponse : IGenerationResponse
{
    private readonly SseWriter _sse;
    private readonly OpenAiAnswer _answer;
    private readonly bool _withLogprobs;
    private readonly bool _includeUsage;
    private int _textOffset;

    /// <summary>Creates the response.</summary>
    /// <param name="context">The request.</param>
    /// <param name="answer">The answer's id, time and model.</param>
    /// <param name="withLogprobs">Whether the request asked for log probabilities.</param>
    /// <param name="includeUsage">Whether a usage object ends the stream.</param>
    public TextCompletionStreamResponse(HttpContext context, OpenAiAnswer answer, bool withLogprobs, bool includeUsage)
    {
        _sse = new SseWriter(context);
        _answer = answer;
        _withLogprobs = withLogprobs;
        _includeUsage = includeUsage;
    }

    /// <inheritdoc/>
    public bool Started => _sse.Started;

    /// <inheritdoc/>
    public Task WriteTextAsync(string text, IReadOnlyList<TextPiece> tokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        TextLogprobs? logprobs = _withLogprobs ? TextLogprobs.From(tokens, _textOffset) : null;
        _textOffset += tokens.Sum(token => token.Text.Length);
        return _sse.WriteAsync(Chunk(text, null, null, logprobs), HostJson.Context.TextCompletion, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task WriteEndAsync(TextGenerationUsage usage, FinishReason finish, CancellationToken cancellationToken)
    {
        await _sse.WriteAsync(Chunk(string.Empty, OpenAiAnswer.FinishReasonOf(finish), null, null), HostJson.Context.TextCompletion, cancellationToken).ConfigureAwait(false);
        if (_includeUsage)
        {
            await _sse.WriteAsync(new TextCompletion(_answer.Id, _answer.Created, _answer.Model, [], WireUsage.From(usage)), HostJson.Context.TextCompletion, cancellationToken).ConfigureAwait(false);
        }

        await _sse.WriteDoneAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task WriteErrorAsync(ApiError failure, CancellationToken cancellationToken) =>
        _sse.WriteAsync(OpenAiAnswer.ErrorOf(failure), HostJson.Context.OpenAiErrorEnvelope, cancellationToken);

    private TextCompletion Chunk(string text, string? finishReason, WireUsage? usage, TextLogprobs? logprobs) =>
        new(_answer.Id, _answer.Created, _answer.Model, [new TextCompletionChoice(text, 0, finishReason) { Logprobs = logprobs }], usage);
}
