using Ember.Host.Errors;
using Ember.Host.Wire.OpenAi;
using Ember.Runtime.Generation;

namespace Ember.Host.Responses;

/// <summary>What every object of one OpenAI-compatible answer repeats, and the mappings its shapes share.</summary>
/// <param name="Id">The completion id (<c>chatcmpl-…</c> or <c>cmpl-…</c>).</param>
/// <param name="Created">Unix seconds when the request was accepted.</param>
/// <param name="Model">The model id.</param>
public sealed record OpenAiAnswer(string Id, long Created, string Model)
{
    /// <summary>OpenAI's <c>finish_reason</c>.</summary>
    /// <param name="finish">Why generation ended.</param>
    /// <returns><c>length</c> or <c>stop</c>.</returns>
    public static string FinishReasonOf(FinishReason finish) => finish == FinishReason.Length ? "length" : "stop";

    /// <summary>OpenAI's <c>finish_reason</c> of an answer that may be tool calls: <c>tool_calls</c> when it holds whole calls.</summary>
    /// <param name="finish">Why generation ended.</param>
    /// <param name="calls">The answer's whole calls.</param>
    /// <returns><c>tool_calls</c>, <c>length</c> or <c>stop</c>.</returns>
    public static string FinishReasonOf(FinishReason finish, IReadOnlyList<ToolCall> calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        return calls.Count > 0 ? "tool_calls" : FinishReasonOf(finish);
    }

    /// <summary>An error in OpenAI's shape.</summary>
    /// <param name="error">The client-facing error.</param>
    /// <returns>The envelope.</returns>
    public static OpenAiErrorEnvelope ErrorOf(ApiError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new(new OpenAiError(error.Message, ErrorMapping.OpenAiType(error.Status), error.Param, error.Code.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }
}
