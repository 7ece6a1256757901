using Ember.Runtime.Generation;

namespace Ember.Host.Responses;

/// <summary>
/// A response shape that answers with tool calls as well as text: <see cref="GenerationPump"/> reads the answer with a
/// <see cref="ToolCallReader"/> and hands it the calls' steps instead of their text.
/// </summary>
/// <remarks>Not thread-safe: one instance per request, called from the request's handler only.</remarks>
public interface IToolCallResponse : IGenerationResponse
{
    /// <summary>Takes one step of the calls: a call begins, a piece of its arguments, or its end.</summary>
    /// <param name="callStep">The step.</param>
    /// <param name="cancellationToken">The request's abort token.</param>
    /// <returns>A task that completes when the step is written or kept.</returns>
    Task WriteToolCallAsync(ToolCallEvent callStep, CancellationToken cancellationToken);

    /// <summary>Takes the whole calls, just before <see cref="IGenerationResponse.WriteEndAsync"/>: empty for a text answer and for calls cut short.</summary>
    /// <param name="calls">The calls.</param>
    void SetCalls(IReadOnlyList<ToolCall> calls);
}
