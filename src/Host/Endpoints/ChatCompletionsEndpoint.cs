using Ember.Host.Responses;
using Ember.Host.Validation;
using Ember.Runtime.Generation;
using Microsoft.AspNetCore.Mvc;

namespace Ember.Host.Endpoints;

/// <summary><c>POST …/ai/v1/chat/completions</c>: an OpenAI chat completion, whole or streamed.</summary>
/// <remarks>Thread-safe singleton; each call owns its request.</remarks>
public sealed class ChatCompletionsEndpoint
{
    private readonly OpenAiRequestReader _reader;
    private readonly GenerationExchange _exchange;
    private readonly TimeProvider _time;
    private readonly ILogger<ChatCompletionsEndpoint> _logger;

    /// <summary>Creates the endpoint.</summary>
    /// <param name="reader">Reads and checks the body.</param>
    /// <param name="exchange">Runs the generation and maps its failures.</param>
    /// <param name="time">Gives <c>created</c>.</param>
    /// <param name="logger">Logs refusals.</param>
    public ChatCompletionsEndpoint(OpenAiRequestReader reader, GenerationExchange exchange, TimeProvider time, ILogger<ChatCompletionsEndpoint> logger)
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

    /// <summary>Maps the endpoint.</summary>
    /// <param name="endpoints">The route builder.</param>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost(ApiRoutes.ChatCompletions, (HttpContext context, [FromServices] ChatCompletionsEndpoint endpoint) => endpoint.HandleAsync(context));
    }

    /// <summary>Handles one request.</summary>
    /// <param name="context">The request.</param>
    /// <returns>A task that completes when the response is written.</returns>
    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Parsed<OpenAiRequest> parsed = await _reader.ReadAsync(context.Request, RequestApis.OpenAiChat).ConfigureAwait(false);
        if (!parsed.Succeeded)
        {
            await GenerationExchange.FailAsync(context, _logger, parsed.Error).ConfigureAwait(false);
            return;
        }

        OpenAiRequest request = parsed.Value;
        var answer = new OpenAiAnswer("chatcmpl-" + Guid.NewGuid().ToString("N"), _time.GetUtcNow().ToUnixTimeSeconds(), request.Model.Id);
        bool withLogprobs = request.Generation.TopLogprobs is not null;
        IGenerationResponse response = request.Generation.Stream
            ? new ChatCompletionStreamResponse(context, answer, withLogprobs, request.IncludeUsage)
            : new ChatCompletionResponse(context, answer, withLogprobs);
        await _exchange.RunAsync(context, request.Model.Id, request.Generation, response).ConfigureAwait(false);
    }
}
