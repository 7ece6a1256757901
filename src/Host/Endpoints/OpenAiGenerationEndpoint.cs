using Ember.Host.Responses;
using Ember.Host.Routing;
using Ember.Host.Validation;
using Ember.Runtime.Generation;
using Microsoft.AspNetCore.Mvc;

namespace Ember.Host.Endpoints;

/// <summary>
/// <c>POST …/ai/v1/chat/completions</c> and <c>POST …/ai/v1/completions</c>: an OpenAI chat or text completion, whole or
/// streamed. The API decides the body's fields (<see cref="OpenAiRequestReader"/>) and the response shape (one type per
/// shape); reading, running and failing are the same for both.
/// </summary>
/// <remarks>Thread-safe singleton; each call owns its request.</remarks>
public sealed class OpenAiGenerationEndpoint
{
    private readonly OpenAiRequestReader _reader;
    private readonly GenerationExchange _exchange;
    private readonly TimeProvider _time;
    private readonly ILogger<OpenAiGenerationEndpoint> _logger;

    /// <summary>Creates the endpoint.</summary>
    /// <param name="reader">Reads and checks the body.</param>
    /// <param name="exchange">Runs the generation and maps its failures.</param>
    /// <param name="time">Gives <c>created</c>.</param>
    /// <param name="logger">Logs refusals.</param>
    public OpenAiGenerationEndpoint(OpenAiRequestReader reader, GenerationExchange exchange, TimeProvider time, ILogger<OpenAiGenerationEndpoint> logger)
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

    /// <summary>Maps both routes.</summary>
    /// <param name="endpoints">The route builder.</param>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost(ApiRoutes.ChatCompletions, (HttpContext context, [FromServices] OpenAiGenerationEndpoint endpoint) => endpoint.HandleAsync(context, RequestApis.OpenAiChat));
        endpoints.MapPost(ApiRoutes.Completions, (HttpContext context, [FromServices] OpenAiGenerationEndpoint endpoint) => endpoint.HandleAsync(context, RequestApis.OpenAiCompletions));
    }

    /// <summary>Handles one request.</summary>
    /// <param name="context">The request.</param>
    /// <param name="api">Which endpoint: <see cref="RequestApis.OpenAiChat"/> or <see cref="RequestApis.OpenAiCompletions"/>.</param>
    /// <returns>A task that completes when the response is written.</returns>
    public async Task HandleAsync(HttpContext context, RequestApis api)
    {
        ArgumentNullException.ThrowIfNull(context);
        Parsed<OpenAiRequest> parsed = await _reader.ReadAsync(context.Request, api).ConfigureAwait(false);
        if (!parsed.Succeeded)
        {
            await GenerationExchange.FailAsync(context, _logger, parsed.Error).ConfigureAwait(false);
            return;
        }

        OpenAiRequest request = parsed.Value;
        bool chat = api == RequestApis.OpenAiChat;
        var answer = new OpenAiAnswer((chat ? "chatcmpl-" : "cmpl-") + Guid.NewGuid().ToString("N"), _time.GetUtcNow().ToUnixTimeSeconds(), request.Model.Id);
        bool withLogprobs = request.Generation.TopLogprobs is not null;
        IGenerationResponse response = (chat, request.Generation.Stream) switch
        {
            (true, true) => new ChatCompletionStreamResponse(context, answer, withLogprobs, request.IncludeUsage),
            (true, false) => new ChatCompletionResponse(context, answer, withLogprobs),
            (false, true) => new TextCompletionStreamResponse(context, answer, withLogprobs, request.IncludeUsage),
            (false, false) => new TextCompletionResponse(context, answer, withLogprobs),
        };
        await _exchange.RunAsync(context, request.Model, request.Generation, response).ConfigureAwait(false);
    }
}
