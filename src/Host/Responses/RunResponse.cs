using Ember.Host.Wire;
using Ember.Runtime.Generation;

namespace Ember.Host.Responses;

/// <summary>Workers AI's whole answer: <c>{"result":{"response","usage"},"success":true,…}</c>, written at the end.</summary>
/// <param name="context">The request.</param>
public sealed class RunResponse(HttpContext context) : WholeResponse
{
    /// <inheritdoc/>
    public override Task WriteEndAsync(TextGenerationUsage usage, FinishReason finish, CancellationToken cancellationToken)
    {
        var envelope = new ApiEnvelope<RunResult>(new RunResult(Text, WireUsage.From(usage)));
        return context.Response.WriteAsJsonAsync(envelope, HostJson.Context.ApiEnvelopeRunResult, contentType: null, cancellationToken);
    }
}
