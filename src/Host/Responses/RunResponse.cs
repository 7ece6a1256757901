using Ember.Host.Json;
using Ember.Host.Wire;
using Ember.Runtime.Generation;

namespace Ember.Host.Responses;

/// <summary>Workers AI's whole answer: <c>{"result":{"response","tool_calls","usage"},"success":true,…}</c>, written at the end (<c>tool_calls</c> only when the answer is calls).</summary>
/// <param name="context">The request.</param>
public sealed class RunResponse(HttpContext context) : WholeResponse
{
    /// <inheritdoc/>
    public override Task WriteEndAsync(TextGenerationUsage usage, FinishReason finish, CancellationToken cancellationToken)
    {
        var result = new RunResult(Text, WireUsage.From(usage)) { ToolCalls = Calls.Count == 0 ? null : [.. Calls.Select(RunToolCall.From)] };
        var envelope = new ApiEnvelope<RunResult>(result);
        return context.Response.WriteAsJsonAsync(envelope, HostJson.Context.ApiEnvelopeRunResult, contentType: null, cancellationToken);
    }
}
