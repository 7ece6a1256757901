using Ember.Host.Responses;
using Ember.Host.Routing;
using Ember.Host.Validation;
using Microsoft.AspNetCore.Mvc;

namespace Ember.Host.Endpoints;

/// <summary>
/// <c>POST …/ai/v1/responses</c>: OpenAI's Responses API, stateless (docs/responses-api.md). The body is checked by
/// <see cref="ResponsesRequestParser"/>; the answer is the <c>response</c> object (<see cref="ResponsesResponse"/>) or
/// its event stream (<see cref="ResponsesStreamResponse"/>); errors are in OpenAI's shape.
/// </summary>
/// <remarks>Thread-safe singleton; each call owns its request.</remarks>
public sealed class ResponsesEndpoint
{
    private readonly OpenAiRequestReader _reader;
    private readonly GenerationExchange _exchange;
    private readonly TimeProvider _time;
    private readonly ILogger<ResponsesEndpoint> _logger;

    /// <summary>Creates the endpoint.</summary>
    /// <param name="reader">Reads the body and resolves its model.</param>
    /// <param name="exchange">Runs the generation and maps its failures.</param>
    /// <param name="time">Gives <c>created_at</c>.</param>
    /// <param name="logger">Logs refusals.</param>
    public ResponsesEndpoint(OpenAiRequestReader reader, GenerationExchange exchange, TimeProvider time, ILogger<ResponsesEndpoint> logger)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(exchange);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _reader = reader;
        _exchange = exchange;
        _time = time;
        _logger = logger;
    }

    /// <summary>Maps the route.</summary>
    /// <param name="endpoints">The route builder.</param>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost(ApiRoutes.Responses, (HttpContext context, [FromServices] ResponsesEndpoint endpoint) => endpoint.HandleAsync(context));
    }

    /// <summary>Handles one request.</summary>
    /// <param name="context">The request.</param>
    /// <returns>A task that completes when the response is written.</returns>
    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Parsed<ResponsesRequest> parsed = await _reader.ReadAsync(context.Request, ResponsesRequestParser.Parse, (parsed, lora) => parsed with { Generation = parsed.Generation with { Lora = lora } }).ConfigureAwait(false);
        if (!parsed.Succeeded)
        {
            await GenerationExchange.FailAsync(context, _logger, parsed.Error).ConfigureAwait(false);
            return;
        }

        ResponsesRequest request = parsed.Value!;
        var answer = new ResponsesAnswer("resp_" + Guid.NewGuid().ToString("N"), _time.GetUtcNow().ToUnixTimeSeconds(), request.Model.Id, request.Echo);
        IGenerationResponse response = request.Generation.Stream
            ? new ResponsesStreamResponse(context, answer)
            : new ResponsesResponse(context, answer);
        await _exchange.RunAsync(context, request.Model, request.Generation, response, ResponsesRequestParser.RenameRuntimeFields).ConfigureAwait(false);
    }
}
