using System.Text;
using Ember.Host.Errors;
using Ember.Host.Wire;
using Ember.Runtime.Generation;

namespace Ember.Host.Responses;

/// <summary>Workers AI's whole answer: <c>{"result":{"response","usage"},"success":true,…}</c>, written at the end.</summary>
/// <param name="context">The request.</param>
public sealed class RunResponse(HttpContext context) : IGenerationResponse
{
    private readonly StringBuilder _text = new();

    /// <inheritdoc/>
    public bool Started => false;

    /// <inheritdoc/>
    public Task WriteTextAsync(string text, IReadOnlyList<TextPiece> tokens, CancellationToken cancellationToken)
    {
        _text.Append(text);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task WriteEndAsync(TextGenerationUsage usage, FinishReason finish, CancellationToken cancellationToken)
    {
        var envelope = new ApiEnvelope<RunResult>(new RunResult(_text.ToString(), WireUsage.From(usage)));
        return context.Response.WriteAsJsonAsync(envelope, HostJson.Context.ApiEnvelopeRunResult, contentType: null, cancellationToken);
    }

    /// <inheritdoc/>
    public Task WriteErrorAsync(ApiError failure, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("A whole answer has sent nothing before its end: write its failure as an envelope.");
}
