namespace Ember.Runtime.Generation;

/// <summary>
/// The Workers AI <c>AiTextGeneration</c> task: takes a prompt or messages for a model id and
/// generates text, scheduled through the model's batching queue.
/// </summary>
/// <remarks>
/// Thread-safe: any number of callers may call at once. Every failure is an
/// <see cref="AiTextGenerationException"/> whose <see cref="AiTextGenerationException.Kind"/> says what went wrong; a
/// call abandoned through its own token too, as <see cref="AiErrorKind.Cancelled"/> with the
/// <see cref="OperationCanceledException"/> inside. (Reading a generation's pieces with a token of their own,
/// <see cref="TextGeneration.ReadPiecesAsync"/>, throws that token's <see cref="OperationCanceledException"/>, as
/// any async enumeration does.)
/// </remarks>
public interface IAiTextGeneration
{
    /// <summary>
    /// Validates the request, applies the model's limits and queues it. Returns once the request is
    /// queued, so that limit, busy and bad-input errors are thrown before any output exists.
    /// </summary>
    /// <param name="modelId">A catalog model id such as <c>@cf/meta/llama-2-7b-chat-int8</c>.</param>
    /// <param name="request">The task input.</param>
    /// <param name="cancellationToken">Abandons the request: it leaves the queue, or its sequence stops and frees its slot.</param>
    /// <returns>The running generation; read its pieces, then its result.</returns>
    /// <exception cref="AiTextGenerationException">The request was not accepted.</exception>
    Task<TextGeneration> StartAsync(string modelId, TextGenerationRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="StartAsync(string, TextGenerationRequest, CancellationToken)"/>, for a model already resolved where
    /// the request arrived: the runtime looks nothing up again. The default forwards its id.
    /// </summary>
    /// <param name="model">The model, from the runtime's inventory.</param>
    /// <param name="request">The task input.</param>
    /// <param name="cancellationToken">Abandons the request.</param>
    /// <returns>The running generation.</returns>
    /// <exception cref="AiTextGenerationException">The request was not accepted.</exception>
    Task<TextGeneration> StartAsync(ModelHandle model, TextGenerationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        return StartAsync(model.Id, request, cancellationToken);
    }

    /// <summary>Runs a request to the end and returns the whole response.</summary>
    /// <exception cref="AiTextGenerationException">The request failed.</exception>
    Task<TextGenerationResult> RunAsync(string modelId, TextGenerationRequest request, CancellationToken cancellationToken);

    /// <summary>Runs a request on a model already resolved to the end and returns the whole response. The default forwards its id.</summary>
    /// <param name="model">The model, from the runtime's inventory.</param>
    /// <param name="request">The task input.</param>
    /// <param name="cancellationToken">Abandons the request.</param>
    /// <returns>The whole response.</returns>
    /// <exception cref="AiTextGenerationException">The request failed.</exception>
    Task<TextGenerationResult> RunAsync(ModelHandle model, TextGenerationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        return RunAsync(model.Id, request, cancellationToken);
    }
}
