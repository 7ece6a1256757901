using Ember.Host.Json;
using Ember.Host.Wire;
using Ember.Host.Wire.OpenAi;
using Ember.Runtime.Generation;

namespace Ember.Host.Responses;

/// <summary>OpenAI's whole <c>chat.completion</c>, written at the end, with log probabilities when asked for; tool calls in <c>message.tool_calls</c>, <c>content</c> null.</summary>
/// <param name="context">The request.</param>
/// <param name="answer">The answer's id, time and model.</param>
/// <param name="withLogprobs">Whether the request asked for log probabilities.</param>
public sealed class ChatCompletionResponse(HttpContext context, OpenAiAnswer answer, bool withLogprobs) : WholeResponse
{
    /// <inheritdoc/>
    public override Task WriteEndAsync(TextGenerationUsage usage, FinishReason finish, CancellationToken cancellationToken)
    {
        ChatCompletionMessage message = Calls.Count == 0
            ? new ChatCompletionMessage(Text)
            : new ChatCompletionMessage(null) { ToolCalls = [.. Calls.Select(call => new ChatCompletionToolCall(null, call.Id, "function", new ChatCompletionFunctionCall(call.Name, call.Arguments)))] };
        var choice = new ChatCompletionChoice(0, message, OpenAiAnswer.FinishReasonOf(finish, Calls)) { Logprobs = withLogprobs ? ChatLogprobs.From(Tokens) : null };
        var completion = new ChatCompletion(answer.Id, answer.Created, answer.Model, [choice], WireUsage.From(usage));
        return context.Response.WriteAsJsonAsync(completion, HostJson.Context.ChatCompletion, contentType: null, cancellationToken);
    }
}
