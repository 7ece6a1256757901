using System.Text;
using Ember.Host.Errors;
using Ember.Host.Wire;
using Ember.Host.Wire.OpenAi;
using Ember.Runtime.Generation;

namespace Ember.Host.Responses;

/// <summary>OpenAI's whole <c>chat.completion</c>, written at the end, with log probabilities when asked for.</summary>
/// <param name="context">The request.</param>
/// <param name="answer">The answer's id, time and model.</param>
/// <param name="withLogprobs">Whether the request asked for log probabilities.</param>
public sealed class ChatCompletionResponse(HttpContext context, OpenAiAnswer answer, bool withLogprobs) : IGenerationResponse
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
        var choice = new ChatCompletionChoice(0, new ChatCompletionMessage(_text.ToString()), OpenAiAnswer.FinishReasonOf(finish)) { Logprobs = withLogprobs ? ChatLogprobs.From(_tokens) : null };
        var completion = new ChatCompletion(answer.Id, answer.Created, answer.Model, [choice], WireUsage.From(usage));
        return context.Response.WriteAsJsonAsync(completion, HostJson.Context.ChatCompletion, contentType: null, cancellationToken);
    }

    /// <inheritdoc/>
    public Task WriteErrorAsync(ApiError failure, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("A whole answer has sent nothing before its end: write its failure as an envelope.");
}
