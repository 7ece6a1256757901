using System.Text.Json;
using Ember.Host.Catalog;
using Ember.Host.Configuration;
using Ember.Host.Diagnostics;
using Ember.Host.Errors;
using Ember.Host.Streaming;
using Ember.Host.Validation;
using Ember.Host.Wire;
using Ember.Models.Catalog;
using Ember.Runtime.Generation;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Ember.Host.Endpoints;

/// <summary>
/// <c>POST /client/v4/accounts/{account_id}/ai/run/{model}</c>: the Workers AI text-generation task, whole
/// (the JSON envelope) or streamed (server-sent events, when the body says <c>"stream": true</c>).
/// </summary>
/// <remarks>Thread-safe singleton; each call owns its request.</remarks>
public sealed class RunEndpoints
{
    private readonly IAiTextGeneration _generation;
    private readonly IModelInventory _inventory;
    private readonly ILogger<RunEndpoints> _logger;
    private readonly long _maxBodyBytes;

    /// <summary>Creates the endpoint.</summary>
    /// <param name="generation">The runtime.</param>
    /// <param name="inventory">Gives each model's limits as served.</param>
    /// <param name="options">The body limit.</param>
    /// <param name="logger">Logs refusals and failures.</param>
    public RunEndpoints(IAiTextGeneration generation, IModelInventory inventory, IOptions<EmberHostOptions> options, ILogger<RunEndpoints> logger)
    {
        ArgumentNullException.ThrowIfNull(generation);
        ArgumentNullException.ThrowIfNull(inventory);
        _inventory = inventory;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _generation = generation;
        _logger = logger;
        _maxBodyBytes = options.Value.MaxRequestBodyBytes;
    }

    /// <summary>Maps the endpoint.</summary>
    /// <param name="endpoints">The route builder.</param>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost(ApiRoutes.Run, (HttpContext context, [FromServices] RunEndpoints run) => run.RunAsync(context));
    }

    /// <summary>Handles one run request.</summary>
    /// <param name="context">The request.</param>
    /// <returns>A task that completes when the response is written.</returns>
    public async Task RunAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string modelId = ModelIds.FromRoute(context.Request.RouteValues["model"]);
        if (modelId.Length == 0)
        {
            // "/ai/run" or "/ai/run/" names no model: there is nothing to run, as for any unknown path.
            await FailAsync(context, ErrorMapping.NoRoute()).ConfigureAwait(false);
            return;
        }

        if (!ModelCatalog.TryGet(modelId, out CatalogEntry? model))
        {
            await FailAsync(context, ErrorMapping.NoSuchModel(modelId)).ConfigureAwait(false);
            return;
        }

        Parsed<JsonDocument> body = await RequestBodyReader.ReadJsonAsync(context.Request, _maxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        if (!body.Succeeded)
        {
            await FailAsync(context, body.Error).ConfigureAwait(false);
            return;
        }

        TextGenerationRequest request;
        using (JsonDocument document = body.Value)
        {
            Parsed<TextGenerationRequest> parsed = RunRequestParser.Parse(document.RootElement, _inventory.LimitsOf(model));
            if (!parsed.Succeeded)
            {
                await FailAsync(context, parsed.Error).ConfigureAwait(false);
                return;
            }

            request = parsed.Value;
        }

        GenerationLog.Requested(_logger, model.Id, request);
        if (request.Stream)
        {
            await StreamAsync(context, model, request).ConfigureAwait(false);
        }
        else
        {
            await CompleteAsync(context, model, request).ConfigureAwait(false);
        }
    }

    private async Task CompleteAsync(HttpContext context, CatalogEntry model, TextGenerationRequest request)
    {
        TextGenerationResult result;
        try
        {
            result = await _generation.RunAsync(model.Id, request, context.RequestAborted).ConfigureAwait(false);
        }
        catch (AiTextGenerationException exception)
        {
            await FailAsync(context, GenerationLog.Failed(_logger, model.Id, exception)).ConfigureAwait(false);
            return;
        }

        if (_logger.IsEnabled(LogLevel.Trace))
        {
            HostLog.GenerationOutput(_logger, model.Id, result.Response);
        }

        var envelope = new ApiEnvelope<RunResult>(new RunResult(result.Response, WireUsage.From(result.Usage)));
        await context.Response.WriteAsJsonAsync(envelope, HostJson.Context.ApiEnvelopeRunResult, contentType: null, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task StreamAsync(HttpContext context, CatalogEntry model, TextGenerationRequest request)
    {
        CancellationToken aborted = context.RequestAborted;
        using var stopSource = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        var sse = new SseWriter(context);
        try
        {
            TextGeneration generation = await _generation.StartAsync(model.Id, request, stopSource.Token).ConfigureAwait(false);
            await foreach (TextPiece piece in generation.ReadPiecesAsync(aborted).ConfigureAwait(false))
            {
                if (piece.Text.Length > 0)
                {
                    await sse.WriteAsync(new StreamPiece(piece.Text), HostJson.Context.StreamPiece, aborted).ConfigureAwait(false);
                }
            }

            TextGenerationResult result = await generation.Completion.ConfigureAwait(false);
            if (_logger.IsEnabled(LogLevel.Trace))
            {
                HostLog.GenerationOutput(_logger, model.Id, result.Response);
            }

            await sse.WriteAsync(new StreamFinal(WireUsage.From(result.Usage)), HostJson.Context.StreamFinal, aborted).ConfigureAwait(false);
            await sse.WriteDoneAsync(aborted).ConfigureAwait(false);
        }
        catch (AiTextGenerationException exception) when (!aborted.IsCancellationRequested)
        {
            ApiError error = GenerationLog.Failed(_logger, model.Id, exception);
            if (!sse.Started)
            {
                await FailAsync(context, error).ConfigureAwait(false);
                return;
            }

            HostLog.StreamFailed(_logger, model.Id, exception.Kind.ToString());
            await sse.WriteAsync(new StreamError(new ApiErrorItem(error.Code, error.Message)), HostJson.Context.StreamError, aborted).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // After the first byte the status is sent: an unexpected failure can only become an error event.
        catch (Exception exception) when (sse.Started && !aborted.IsCancellationRequested && exception is not OperationCanceledException)
#pragma warning restore CA1031
        {
            HostLog.RuntimeFailure(_logger, model.Id, exception);
            ApiError error = ErrorMapping.Internal();
            await sse.WriteAsync(new StreamError(new ApiErrorItem(error.Code, error.Message)), HostJson.Context.StreamError, aborted).ConfigureAwait(false);
        }
        finally
        {
            // However the handler ends, the sequence stops and frees its slot (a no-op when it already ended).
            await stopSource.CancelAsync().ConfigureAwait(false);
        }
    }

    private Task FailAsync(HttpContext context, ApiError error)
    {
        HostLog.RequestRefused(_logger, error.Status, error.Code, error.Message);
        return ApiErrorWriter.WriteAsync(context, error);
    }
}
