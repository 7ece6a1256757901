using Ember.Models.Catalog;
using Ember.Runtime.Diagnostics;
using Ember.Runtime.Generation;
using Ember.Runtime.Options;
using Ember.Runtime.Pool;
using Ember.Runtime.Scheduling;
using Ember.Runtime.Structured;

namespace Ember.Runtime.Service;

/// <summary>
/// The default <see cref="IAiTextGeneration"/>: validates, plans against the model's limits, and queues on the
/// least-loaded replica of the model's worker pool.
/// </summary>
/// <remarks>Thread-safe.</remarks>
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
        if (cancellationToken.IsCancellationRequested)
        {
            throw new AiTextGenerationException(AiErrorKind.Cancelled, AiTextGenerationException.CancelledMessage, new OperationCanceledException(cancellationToken));
        }

        try
        {
            return Task.FromResult(Start(modelId, request, cancellationToken));
        }
        catch (AiTextGenerationException e)
        {
            _metrics.RecordRefused(modelId, e.Kind);
            throw;
        }
    }

    private TextGeneration Start(string modelId, TextGenerationRequest request, CancellationToken cancellationToken)
    {
        if (!_models.TryGet(modelId, out var served))
        {
            // The catalog is asked only on a miss, to tell an unknown id from one not installed here.
            throw ModelCatalog.TryGet(modelId, out _)
                ? new AiTextGenerationException(AiErrorKind.ModelNotInstalled, $"Model '{modelId}' is in the catalog but not installed on this server; add it to runtime.json.")
                : new AiTextGenerationException(AiErrorKind.ModelNotFound, $"No such model: '{modelId}'.");
        }

        RequestValidator.Validate(request, served.Limits);
        var (tokens, maxTokens) = RequestPlanner.Plan(served, request);
        var sampling = SamplingSettings.From(request);
        var abilities = served.Replicas[0].Abilities;
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
        var output = new TextGeneration(tokens.Length, maxTokens, _metrics.Begin(modelId), request.Stop);
        var sequence = new SequenceRequest(modelId, tokens, maxTokens, sampling, output, cancellationToken, timeout.Token) { TopLogprobs = request.TopLogprobs, Constraint = constraint, Priority = request.Priority };
        if (!replica.TryEnqueue(sequence))
        {
            timeout.Dispose();
            throw new AiTextGenerationException(AiErrorKind.Busy, $"The queue of {modelId} is full; please try again.");
        }

        output.Completion.ContinueWith(_ => timeout.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return output;
    }

    /// <inheritdoc/>
    public async Task<TextGenerationResult> RunAsync(string modelId, TextGenerationRequest request, CancellationToken cancellationToken)
    {
        var generation = await StartAsync(modelId, request, cancellationToken).ConfigureAwait(false);
        try
        {
            return await generation.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new AiTextGenerationException(AiErrorKind.Cancelled, AiTextGenerationException.CancelledMessage, e);
        }
    }
}
