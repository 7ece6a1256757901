using Ember.Host.Errors;
using Ember.Runtime.Generation;

namespace Ember.Host.Responses;

/// <summary>
/// One response shape of a generation (Workers AI or OpenAI, whole or streamed): what it writes for each piece of
/// text, at the end, and for a failure after its first byte. <see cref="GenerationExchange"/> drives it.
/// </summary>
/// <remarks>Not thread-safe: one instance per request, called from the request's handler only.</remarks>
public interface IGenerationResponse
{
    /// <summary>Gets a value indicating whether bytes of the answer went out, so that a failure can only be written in the stream.</summary>
    bool Started { get; }

    /// <summary>Takes text that is safe to send (no stop string can begin in it) and the tokens that produced it.</summary>
    /// <param name="text">The text; may be empty when only tokens (log probabilities) are handed on.</param>
    /// <param name="tokens">The pieces whose log probabilities go with this text; empty without log probabilities.</param>
    /// <param name="cancellationToken">The request's abort token.</param>
    /// <returns>A task that completes when the text is written or kept.</returns>
    Task WriteTextAsync(string text, IReadOnlyList<TextPiece> tokens, CancellationToken cancellationToken);

    /// <summary>Writes the end of the answer.</summary>
    /// <param name="usage">The tokens counted.</param>
    /// <param name="finish">Why generation ended.</param>
    /// <param name="cancellationToken">The request's abort token.</param>
    /// <returns>A task that completes when the answer is written.</returns>
    Task WriteEndAsync(TextGenerationUsage usage, FinishReason finish, CancellationToken cancellationToken);

    /// <summary>Writes a failure after <see cref="Started"/>, as the API's error event.</summary>
    /// <param name="failure">The client-facing error.</param>
    /// <param name="cancellationToken">The request's abort token.</param>
    /// <returns>A task that completes when the event is written.</returns>
    Task WriteErrorAsync(ApiError failure, CancellationToken cancellationToken);
}
