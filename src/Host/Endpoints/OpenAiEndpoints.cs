using System.Text.Json;
using Ember.Host.Catalog;
using Ember.Host.Configuration;
using Ember.Host.Diagnostics;
using Ember.Host.Errors;
using Ember.Host.Streaming;
using Ember.Host.Validation;
using Ember.Host.Wire;
using Ember.Host.Wire.OpenAi;
using Ember.Models.Catalog;
using Ember.Runtime.Generation;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Ember.Host.Endpoints;

/// <summary>
/// The OpenAI-compatible endpoints under <c>/client/v4/accounts/{account_id}/ai/v1</c>: <c>POST chat/completions</c>,
/// <c>POST completions</c> and <c>GET models</c>, with OpenAI's response, chunk and error shapes.
/// </summary>
/// <remarks>
/// Stop strings are applied here: the text is cut before the first one, generation is abandoned (freeing its
/// slot) and <c>finish_reason</c> is <c>stop</c>; usage then counts the tokens generated up to that point, and so
/// do log probabilities (one entry per counted token, the stop string's own tokens included). Streamed, a token's
/// entry goes with the chunk that carries its text (text held back as a possible stop string waits, and so does
/// its entry).
/// Thread-safe singleton; each call owns its request.
/// </remarks>
public sealed class OpenAiEndpoints
{
    /// <summary>The <c>created</c> time of every catalog model: 2023-11-01, the catalog's date.</summary>
    public const long CatalogCreated = 1698796800;

    private readonly IAiTextGeneration _generation;
    private readonly IModelInventory _inventory;
    private readonly TimeProvider _time;
    private readonly ILogger<OpenAiEndpoints> _logger;
    private readonly long _maxBodyBytes;

    /// <summary>Creates the endpoints.</summary>
    /// <param name="generation">The runtime.</param>
    /// <param name="inventory">Which models are installed.</param>
    /// <param name="time">Gives <c>created</c>.</param>
    /// <param name="options">The body limit.</param>
    /// <param name="logger">Logs refusals and failures.</param>
    public OpenAiEndpoints(
        IAiTextGeneration generation,
        IModelInventory inventory,
        TimeProvider time,
        IOptions<EmberHostOptions> options,
        ILogger<OpenAiEndpoints> logger)
    {
        ArgumentNullException.ThrowIfNull(generation);
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _generation = generation;
        _inventory = inventory;
        _time = time;
        _logger = logger;
        _maxBodyBytes = options.Value.MaxRequestBodyBytes;
    }

    /// <summary>Maps the endpoints.</summary>
    /// <param name="endpoints">The route builder.</param>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost(ApiRoutes.ChatCompletions, (HttpContext context, [FromServices] OpenAiEndpoints openAi) => openAi.ChatCompletionsAsync(context));
        endpoints.MapPost(ApiRoutes.Completions, (HttpContext context, [FromServices] OpenAiEndpoints openAi) => openAi.CompletionsAsync(context));
        endpoints.MapGet(ApiRoutes.Models, (HttpContext context, [FromServices] OpenAiEndpoints openAi) => openAi.ModelsAsync(context));
    }

    /// <summary>Handles <c>POST chat/completions</c>.</summary>
    /// <param name="context">The request.</param>
    /// <returns>A task that completes when the response is written.</returns>
    public Task ChatCompletionsAsync(HttpContext context) => HandleAsync(context, chat: true);

    /// <summary>Handles <c>POST completions</c>.</summary>
    /// <param name="context">The request.</param>
    /// <returns>A task that completes when the response is written.</returns>
    public Task CompletionsAsync(HttpContext context) => HandleAsync(context, chat: false);

    /// <summary>Handles <c>GET models</c>: the installed models.</summary>
    /// <param name="context">The request.</param>
    /// <returns>A task that completes when the response is written.</returns>
    public Task ModelsAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var models = ModelCatalog.All
            .Where(entry => _inventory.IsInstalled(entry.Id))
            .Select(entry => new OpenAiModel(entry.Id, CatalogCreated, OwnedBy(entry.Source)))
            .ToArray();
        return context.Response.WriteAsJsonAsync(new OpenAiModelList(models), HostJson.Context.OpenAiModelList, contentType: null, context.RequestAborted);
    }

    private async Task HandleAsync(HttpContext context, bool chat)
    {
        ArgumentNullException.ThrowIfNull(context);
        Parsed<JsonDocument> body = await RequestBodyReader.ReadJsonAsync(context.Request, _maxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        if (!body.Succeeded)
        {
            await FailAsync(context, body.Error).ConfigureAwait(false);
            return;
        }

        OpenAiRequest request;
        using (JsonDocument document = body.Value)
        {
            Parsed<OpenAiRequest> parsed = chat
                ? OpenAiRequestParser.ParseChat(document.RootElement, _inventory)
                : OpenAiRequestParser.ParseCompletion(document.RootElement, _inventory);
            if (!parsed.Succeeded)
            {
                await FailAsync(context, parsed.Error).ConfigureAwait(false);
                return;
            }

            request = parsed.Value;
        }

        GenerationLog.Requested(_logger, request.Model.Id, request.Generation);
        var call = new OpenAiCall(
            (chat ? "chatcmpl-" : "cmpl-") + Guid.NewGuid().ToString("N"),
            _time.GetUtcNow().ToUnixTimeSeconds(),
            request.Model.Id,
            chat);
        using var stopSource = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var sse = request.Generation.Stream ? new SseWriter(context) : null;
        try
        {
            TextGeneration generation = await _generation.StartAsync(request.Model.Id, request.Generation, stopSource.Token).ConfigureAwait(false);
            if (sse is null)
            {
                await CompleteAsync(context, call, request, generation, stopSource).ConfigureAwait(false);
            }
            else
            {
                await StreamAsync(context, sse, call, request, generation, stopSource).ConfigureAwait(false);
            }
        }
        catch (AiTextGenerationException exception) when (!context.RequestAborted.IsCancellationRequested)
        {
            ApiError error = GenerationLog.Failed(_logger, request.Model.Id, exception);
            if (sse is null || !sse.Started)
            {
                await FailAsync(context, error).ConfigureAwait(false);
                return;
            }

            HostLog.StreamFailed(_logger, request.Model.Id, exception.Kind.ToString());
            await sse.WriteAsync(ToOpenAi(error), HostJson.Context.OpenAiErrorEnvelope, context.RequestAborted).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // After the first byte the status is sent: an unexpected failure can only become an error event.
        catch (Exception exception) when (sse is { Started: true } && !context.RequestAborted.IsCancellationRequested && exception is not OperationCanceledException)
#pragma warning restore CA1031
        {
            HostLog.RuntimeFailure(_logger, request.Model.Id, exception);
            await sse.WriteAsync(ToOpenAi(ErrorMapping.Internal()), HostJson.Context.OpenAiErrorEnvelope, context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            // However the handler ends, the sequence stops and frees its slot (a no-op when it already ended).
            await stopSource.CancelAsync().ConfigureAwait(false);
        }
    }

    private async Task CompleteAsync(HttpContext context, OpenAiCall call, OpenAiRequest request, TextGeneration generation, CancellationTokenSource stopSource)
    {
        var text = new System.Text.StringBuilder();
        var tokens = new List<TextPiece>();
        (TextGenerationUsage usage, FinishReason finish) = await PumpAsync(
            generation,
            request.Stop,
            stopSource,
            (piece, logprobs) =>
            {
                text.Append(piece);
                tokens.AddRange(logprobs);
                return Task.CompletedTask;
            },
            context.RequestAborted).ConfigureAwait(false);
        bool withLogprobs = request.Generation.TopLogprobs is not null;
        string response = text.ToString();
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            HostLog.GenerationOutput(_logger, call.Model, response);
        }

        string finishReason = ToOpenAi(finish);
        WireUsage wireUsage = WireUsage.From(usage);
        if (call.Chat)
        {
            var choice = new ChatCompletionChoice(0, new ChatCompletionMessage(response), finishReason) { Logprobs = withLogprobs ? ChatLogprobs.From(tokens) : null };
            var completion = new ChatCompletion(call.Id, call.Created, call.Model, [choice], wireUsage);
            await context.Response.WriteAsJsonAsync(completion, HostJson.Context.ChatCompletion, contentType: null, context.RequestAborted).ConfigureAwait(false);
        }
        else
        {
            var choice = new TextCompletionChoice(response, 0, finishReason) { Logprobs = withLogprobs ? TextLogprobs.From(tokens, 0) : null };
            var completion = new TextCompletion(call.Id, call.Created, call.Model, [choice], wireUsage);
            await context.Response.WriteAsJsonAsync(completion, HostJson.Context.TextCompletion, contentType: null, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static async Task StreamAsync(HttpContext context, SseWriter sse, OpenAiCall call, OpenAiRequest request, TextGeneration generation, CancellationTokenSource stopSource)
    {
        CancellationToken aborted = context.RequestAborted;
        bool roleSent = false;
        bool withLogprobs = request.Generation.TopLogprobs is not null;
        int textOffset = 0;

        async Task SendRoleAsync()
        {
            if (call.Chat && !roleSent)
            {
                roleSent = true;
                await sse.WriteAsync(ChatChunk(call, new ChatCompletionDelta("assistant", string.Empty), null), HostJson.Context.ChatCompletionChunk, aborted).ConfigureAwait(false);
            }
        }

        (TextGenerationUsage usage, FinishReason finish) = await PumpAsync(
            generation,
            request.Stop,
            stopSource,
            async (piece, logprobs) =>
            {
                await SendRoleAsync().ConfigureAwait(false);
                if (call.Chat)
                {
                    ChatLogprobs? chatLogprobs = withLogprobs ? ChatLogprobs.From(logprobs) : null;
                    await sse.WriteAsync(ChatChunk(call, new ChatCompletionDelta(null, piece), null, chatLogprobs), HostJson.Context.ChatCompletionChunk, aborted).ConfigureAwait(false);
                }
                else
                {
                    TextLogprobs? textLogprobs = withLogprobs ? TextLogprobs.From(logprobs, textOffset) : null;
                    textOffset += logprobs.Sum(token => token.Text.Length);
                    await sse.WriteAsync(TextChunk(call, piece, null, null, textLogprobs), HostJson.Context.TextCompletion, aborted).ConfigureAwait(false);
                }
            },
            aborted).ConfigureAwait(false);

        await SendRoleAsync().ConfigureAwait(false);
        string finishReason = ToOpenAi(finish);
        WireUsage wireUsage = WireUsage.From(usage);
        if (call.Chat)
        {
            await sse.WriteAsync(ChatChunk(call, new ChatCompletionDelta(null, null), finishReason), HostJson.Context.ChatCompletionChunk, aborted).ConfigureAwait(false);
            if (request.IncludeUsage)
            {
                await sse.WriteAsync(new ChatCompletionChunk(call.Id, call.Created, call.Model, [], wireUsage), HostJson.Context.ChatCompletionChunk, aborted).ConfigureAwait(false);
            }
        }
        else
        {
            await sse.WriteAsync(TextChunk(call, string.Empty, finishReason, null), HostJson.Context.TextCompletion, aborted).ConfigureAwait(false);
            if (request.IncludeUsage)
            {
                await sse.WriteAsync(new TextCompletion(call.Id, call.Created, call.Model, [], wireUsage), HostJson.Context.TextCompletion, aborted).ConfigureAwait(false);
            }
        }

        await sse.WriteDoneAsync(aborted).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads the generation through the stop filter, handing on the text that is safe to send. On a stop string
    /// the generation is abandoned and the usage counts the tokens read so far.
    /// </summary>
    private static async Task<(TextGenerationUsage Usage, FinishReason Finish)> PumpAsync(
        TextGeneration generation,
        IReadOnlyList<string> stops,
        CancellationTokenSource stopSource,
        Func<string, IReadOnlyList<TextPiece>, Task> onText,
        CancellationToken cancellationToken)
    {
        var filter = new StopSequenceFilter(stops);
        int tokens = 0;
        var pending = new List<TextPiece>();
        IReadOnlyList<TextPiece> TakePending()
        {
            TextPiece[] taken = [.. pending];
            pending.Clear();
            return taken;
        }

        await foreach (TextPiece piece in generation.ReadPiecesAsync(cancellationToken).ConfigureAwait(false))
        {
            tokens++;
            if (piece.Logprobs is not null)
            {
                pending.Add(piece);
            }

            string text = filter.Push(piece.Text);
            if (text.Length > 0 || (filter.Stopped && pending.Count > 0))
            {
                await onText(text, TakePending()).ConfigureAwait(false);
            }

            if (filter.Stopped)
            {
                // Observe the abandoned generation's outcome so that its fault (if any) is not left unobserved.
                _ = generation.Completion.ContinueWith(static task => _ = task.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                generation.MarkStopStringFound();
                await stopSource.CancelAsync().ConfigureAwait(false);
                return (new TextGenerationUsage(generation.PromptTokens, tokens), FinishReason.Stop);
            }
        }

        string rest = filter.Flush();
        if (rest.Length > 0 || pending.Count > 0)
        {
            await onText(rest, TakePending()).ConfigureAwait(false);
        }

        TextGenerationResult result = await generation.Completion.ConfigureAwait(false);
        return (result.Usage, result.FinishReason);
    }

    private static ChatCompletionChunk ChatChunk(OpenAiCall call, ChatCompletionDelta delta, string? finishReason, ChatLogprobs? logprobs = null) =>
        new(call.Id, call.Created, call.Model, [new ChatCompletionChunkChoice(0, delta, finishReason) { Logprobs = logprobs }], null);

    private static TextCompletion TextChunk(OpenAiCall call, string text, string? finishReason, WireUsage? usage, TextLogprobs? logprobs = null) =>
        new(call.Id, call.Created, call.Model, [new TextCompletionChoice(text, 0, finishReason) { Logprobs = logprobs }], usage);

    private static string ToOpenAi(FinishReason finish) => finish == FinishReason.Length ? "length" : "stop";

    private static OpenAiErrorEnvelope ToOpenAi(ApiError error) =>
        new(new OpenAiError(error.Message, ErrorMapping.OpenAiType(error.Status), error.Param, error.Code.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    private static string OwnedBy(ModelSource source) => source switch
    {
        ModelSource.Cloudflare => "cloudflare",
        ModelSource.HuggingFace => "huggingface",
        _ => "ember",
    };

    private Task FailAsync(HttpContext context, ApiError error)
    {
        HostLog.RequestRefused(_logger, error.Status, error.Code, error.Message);
        return ApiErrorWriter.WriteAsync(context, error);
    }
}
