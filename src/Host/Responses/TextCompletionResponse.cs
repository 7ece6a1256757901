using Ember.Host.Json;
using Ember.Host.Wire;
using Ember.Host.Wire.OpenAi;
using Ember.Runtime.Generation;

namespace Ember.Host.Responses;

/// <summary>OpenAI's whole <c>text_completion</c>, written at the end, with log probabilities when asked for.</summary>
/// <param name="context">The request.</param>
/// <param name="answer">The answer's id, time and model.</param>
/// <param name="withLogprobs">Whether the request asked for log probabilities.</param>
public sealed class TextCompletionResponse(HttpContext context, OpenAiAnswer answer, bool withLogprobs) : WholeResponse
{
    /// <inheritdoc/>
    public override Task WriteEndAsync(TextGenerationUsage usage, FinishReason finish, CancellationToken cancellationToken)
    {
        var choice = new TextCompletionChoice(Text, 0, OpenAiAnswer.FinishReasonOf(finish)) { Logprobs = withLogprobs ? TextLogprobs.From(Tokens, 0) : null };
        var completion = new TextCompletion(answer.Id, answer.Created, answer.Model, [choice], WireUsage.From(usage));
        return context.Response.WriteAsJsonAsync(completion, HostJson.Context.TextCompletion, contentType: null, cancellationToken);
    }
}
