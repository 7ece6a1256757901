using System.Text;
using Ember.Host.Errors;
using Ember.Host.Wire;
using Ember.Host.Wire.OpenAi;
using Ember.Runtime.Generation;

namespace Ember.Host.Responses;

/// <summary>OpenAI's whole <c>text_completion</c>, written at the end, with log probabilities when asked for.</summary>
/// <param name="context">The request.</param>
/// <param name="answer">The answer's id, time and model.</param>
/// <param name="withLogprobs">Whether the request asked for log probabilities.</param>
public sealed class TextCompletionResponse(HttpContext context, OpenAiAnswer answer, bool withLogprobs) : IGenerationResponse
{
    private readonly StringBuilder _text = new();
    private readonly List<TextPiece> _tokens = [];

    /// <inheritdoc/>
    public bool Started => false;

    /// <inheritdoc/>
    public Task WriteTextAsync(string text, IReadOnlyList<TextPiece> tokens, CancellationToken cancellationToken)
    {
        _text.Append(text);
        _tokens.AddRange(tokens);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task WriteEndAsync(TextGenerationUsage usage, FinishReason finish, CancellationToken cancellationToken)
    {
        var choice = new TextCompletionChoice(_text.ToString(), 0, OpenAiAnswer.FinishReasonOf(finish)) { Logprobs = withLogprobs ? TextLogprobs.From(_tokens, 0) : null };
        var completion = new TextCompletion(answer.Id, answer.Created, answer.Model, [choice], WireUsage.From(usage));
        return context.Response.WriteAsJsonAsync(completion, HostJson.Context.TextCompletion, contentType: null, cancellationToken);
    }

    /// <inheritdoc/>
    public Task WriteErrorAsync(ApiError failure, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("A whole answer has sent nothing before its end: write its failure as an envelope.");
}
