using System.Text.Json;
using Ember.Host.Batch;
using Ember.Host.Configuration;
using Ember.Host.Errors;
using Ember.Host.Responses;
using Ember.Host.Routing;
using Ember.Host.Validation;
using Ember.Runtime.Generation;
using Ember.Runtime.Pool;
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
    private readonly GenerationExchange _exchange;
    private readonly BatchEndpoint? _batch;
    private readonly IModelInventory _inventory;
    private readonly ILogger<RunEndpoints> _logger;
    private readonly long _maxBodyBytes;

    /// <summary>Creates the endpoint.</summary>
    /// <param name="exchange">Runs the generation and maps its failures.</param>
    /// <param name="inventory">Gives each model's limits as served.</param>
    /// <param name="options">The body limit.</param>
    /// <param name="logger">Logs refusals.</param>
    /// <param name="batch">The batch API, or <see langword="null"/> where it is not registered (then <c>queueRequest</c> is refused).</param>
    public RunEndpoints(GenerationExchange exchange, IModelInventory inventory, IOptions<EmberHostOptions> options, ILogger<RunEndpoints> logger, BatchEndpoint? batch = null)
    {
        _batch = batch;
        ArgumentNullException.ThrowIfNull(exchange);
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _exchange = exchange;
        _inventory = inventory;
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
            await GenerationExchange.FailAsync(context, _logger, ErrorMapping.NoRoute()).ConfigureAwait(false);
            return;
        }

        if (_inventory.Resolve(modelId) is not { } model)
        {
            await GenerationExchange.FailAsync(context, _logger, ErrorMapping.NoSuchModel(modelId)).ConfigureAwait(false);
            return;
        }

        if (string.Equals(context.Request.Query["queueRequest"], "true", StringComparison.OrdinalIgnoreCase))
        {
            await (_batch is null
                ? GenerationExchange.FailAsync(context, _logger, ErrorMapping.InvalidInput("queueRequest", "the batch API is not enabled on this server"))
                : _batch.HandleAsync(context, model)).ConfigureAwait(false);
            return;
        }

        Parsed<JsonDocument> body = await RequestBodyReader.ReadJsonAsync(context.Request, _maxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        if (!body.Succeeded)
        {
            await GenerationExchange.FailAsync(context, _logger, body.Error).ConfigureAwait(false);
            return;
        }

        Parsed<TextGenerationRequest> parsed;
        using (JsonDocument document = body.Value)
        {
            if (_batch is not null && BatchEndpoint.IsPoll(document.RootElement))
            {
                // A poll may come without queueRequest (as the Workers binding's REST form sends it).
                await _batch.HandleAsync(context, model, document.RootElement).ConfigureAwait(false);
                return;
            }

            parsed = RunRequestParser.Parse(document.RootElement, model.Limits);
        }

        if (!parsed.Succeeded)
        {
            await GenerationExchange.FailAsync(context, _logger, parsed.Error).ConfigureAwait(false);
            return;
        }

        TextGenerationRequest request = parsed.Value;
        IGenerationResponse response = request.Stream ? new RunStreamResponse(context) : new RunResponse(context);
        await _exchange.RunAsync(context, model, request, response).ConfigureAwait(false);
    }
}
