using Ember.Runtime.Diagnostics;
using Ember.Runtime.Generation;
using Ember.Runtime.Pool;
using Ember.Runtime.Scheduling;
using Ember.Runtime.Structured;

namespace Ember.Runtime.Service;

/// <summary>
/// The default <see cref="IAiTextGeneration"/>: validates, plans against the model's limits, and queues on the
/// least-loaded replica of the model's worker pool.
/// </summary>
/// <remarks>
/// Thread-safe. A model given by id is resolved here, once; one given as a <see cref="ModelHandle"/> (resolved where the
/// request arrived) is used as it is.
/// </remarks>
public sealed class AiTextGenerationService : IAiTextGeneration
{
    private readonly ServedModels _models;
    private readonly TimeProvider _time;
    private readonly GenerationMetrics _metrics;

    /// <summary>Creates the service over the served models.</summary>
    internal AiTextGenerationService(ServedModels models, TimeProvider time, GenerationMetrics metrics)
    {
        _models = models;
        _time = time;
        _metrics = metrics;
    }

    /// <inheritdoc/>
    public Task<TextGeneration> StartAsync(string modelId, TextGenerationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        return Started(modelId, () => Start(Resolve(modelId), request, cancellationToken), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<TextGeneration> StartAsync(ModelHandle model, TextGenerationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Started(model.Id, () => Start(model, request, cancellationToken), cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<TextGenerationResult> RunAsync(string modelId, TextGenerationRequest request, CancellationToken cancellationToken) =>
        await ToEndAsync(await StartAsync(modelId, request, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<TextGenerationResult> RunAsync(ModelHandle model, TextGenerationRequest request, CancellationToken cancellationToken) =>
        await ToEndAsync(await StartAsync(model, request, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    private static async Task<TextGenerationResult> ToEndAsync(TextGeneration generation, CancellationToken cancellationToken)
    {
        try
        {
            return await generation.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new AiTextGenerationException(AiErrorKind.Cancelled, AiTextGenerationException.CancelledMessage, e);
        }
    }

    /// <summary>Starts a request, counting a refusal in the metrics.</summary>
    private Task<TextGeneration> Started(string modelId, Func<TextGeneration> start, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            throw new AiTextGenerationException(AiErrorKind.Cancelled, AiTextGenerationException.CancelledMessage, new OperationCanceledException(cancellationToken));
        }

        try
        {
            return Task.FromResult(start());
        }
        catch (AiTextGenerationException e)
        {
            _metrics.RecordRefused(modelId, e.Kind);
            throw;
        }
    }

    private ModelHandle Resolve(string modelId) =>
        _models.Resolve(modelId) ?? throw new AiTextGenerationException(AiErrorKind.ModelNotFound, $"No such model: '{modelId}'.");

    private TextGeneration Start(ModelHandle model, TextGenerationRequest request, CancellationToken cancellationToken)
    {
        if (model is not ServedModel served)
        {
            throw new AiTextGenerationException(AiErrorKind.ModelNotInstalled, $"Model '{model.Id}' is in the catalog but not installed on this server; add it to runtime.json.");
        }

        var modelId = served.Id;
        RequestValidator.Validate(request, served.Limits);
        var adapter = AdapterOf(modelId, served, request.Lora);
        var (tokens, maxTokens) = RequestPlanner.Plan(served, request);
        var sampling = SamplingSettings.From(request);
        var abilities = served.Abilities!;
        if (sampling.HasTokenPenalties && !abilities.TokenPenalties)
        {
            throw new AiTextGenerationException(AiErrorKind.BadInput, $"frequency_penalty: frequency_penalty and presence_penalty need the continuous scheduler; {modelId} runs on {served.Scheduler}.");
        }

        if (request.TopLogprobs is not null && abilities.LogprobsUnavailable is { } unavailable)
        {
            throw new AiTextGenerationException(AiErrorKind.BadInput, $"logprobs: log probabilities are not available for {modelId}: {unavailable}");
        }

        IJsonConstraint? constraint = null;
        if (request.ResponseFormat is { Kind: not ResponseFormatKind.Text } format)
        {
            if (abilities.VocabularyUnavailable is { } noVocabulary)
            {
                throw new AiTextGenerationException(AiErrorKind.BadInput, $"response_format: structured output is not available for {modelId}: {noVocabulary}");
            }

            constraint = ConstraintFactory.Create(format);
        }

        if (request.EffectiveToolChoice is { Mode: not ToolChoiceMode.None } toolChoice)
        {
            if (abilities.VocabularyUnavailable is { } noVocabulary)
            {
                throw new AiTextGenerationException(AiErrorKind.BadInput, $"tools: tool calls are not available for {modelId}: {noVocabulary}");
            }

            constraint = ConstraintFactory.CreateForTools(request.Tools!, toolChoice, request.ParallelToolCalls);
        }

        var replica = served.ReplicaFor(request.SessionAffinity);
        if (request.RejectIfBusy && replica.Load >= replica.SequenceCap)
        {
            throw new AiTextGenerationException(AiErrorKind.Busy, AiTextGenerationException.CapacityExceededMessage);
        }

        var timeout = new CancellationTokenSource(served.RequestTimeout, _time);
        var output = new TextGeneration(tokens.Length, maxTokens, _metrics.Begin(modelId, adapter >= 0 ? request.Lora : null), request.Stop);
        var sequence = new SequenceRequest(modelId, tokens, maxTokens, sampling, output, cancellationToken, timeout.Token) { TopLogprobs = request.TopLogprobs, Constraint = constraint, Priority = request.Priority, Adapter = adapter };
        if (!replica.TryEnqueue(sequence))
        {
            timeout.Dispose();
            throw new AiTextGenerationException(AiErrorKind.Busy, $"The queue of {modelId} is full; please try again.");
        }

        output.Completion.ContinueWith(_ => timeout.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return output;
    }

    /// <summary>The decoder's number of the adapter <paramref name="lora"/> names (-1 for none).</summary>
    /// <exception cref="AiTextGenerationException">The model serves no adapter of that name (bad input, naming it).</exception>
    private static int AdapterOf(string modelId, ServedModel served, string? lora)
    {
        if (lora is null)
        {
            return -1;
        }

        var index = served.Adapters.ToList().IndexOf(lora);
        if (index >= 0)
        {
            return index;
        }

        var known = served.Adapters.Count == 0 ? (served.TakesLora ? "it serves none" : "it takes none") : $"it serves {string.Join(", ", served.Adapters.Select(a => $"'{a}'"))}";
        throw new AiTextGenerationException(AiErrorKind.BadInput, $"lora: no adapter '{lora}' for {modelId}; {known}.");
    }
}
