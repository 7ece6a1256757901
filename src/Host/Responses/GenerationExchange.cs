using System.Text;
using Ember.Host.Diagnostics;
using Ember.Host.Errors;
using Ember.Host.Validation;
using Ember.Runtime.Generation;

namespace Ember.Host.Responses;

/// <summary>
/// Runs one generation request for an endpoint: starts it, pumps it into the response shape, and maps every failure
/// in one place — an envelope in the API's shape before the first byte, the shape's error event after it.
/// </summary>
/// <remarks>Thread-safe singleton; each call owns its request. However a call ends, the sequence stops and frees its slot.</remarks>
public sealed class GenerationExchange
{
    /// <summary>Workers AI's header that keeps a conversation on one replica (and so in its prefix cache).</summary>
    public const string SessionAffinityHeader = "x-session-affinity";

    private readonly IAiTextGeneration _generation;
    private readonly ILogger<GenerationExchange> _logger;
    private readonly IAdapterResolver? _adapters;

    /// <summary>Creates the exchange.</summary>
    /// <param name="generation">The runtime.</param>
    /// <param name="logger">Logs refusals, failures and (at trace) the text.</param>
    /// <param name="adapters">Resolves a request's adapter for its caller (fine-tunes); <see langword="null"/>: the runtime takes <c>lora</c> as it is.</param>
    public GenerationExchange(IAiTextGeneration generation, ILogger<GenerationExchange> logger, IAdapterResolver? adapters = null)
    {
        ArgumentNullException.ThrowIfNull(generation);
        ArgumentNullException.ThrowIfNull(logger);
        _generation = generation;
        _logger = logger;
        _adapters = adapters;
    }

    /// <summary>Runs the request and writes its answer.</summary>
    /// <param name="context">The HTTP request.</param>
    /// <param name="model">The model, resolved where the request arrived.</param>
    /// <param name="request">The parsed request.</param>
    /// <param name="response">The response shape.</param>
    /// <param name="renameFields">Renames the fields a runtime refusal names into the API's own (the Responses API's <c>text.format</c> for <c>response_format</c>); <see langword="null"/>: as they are.</param>
    /// <returns>A task that completes when the answer is written.</returns>
    public async Task RunAsync(HttpContext context, ModelHandle model, TextGenerationRequest request, IGenerationResponse response, Func<ApiError, ApiError>? renameFields = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(model);
        string modelId = model.Id;
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        GenerationLog.Requested(_logger, modelId, request);
        if (request.Lora is { } lora && _adapters is not null)
        {
            Parsed<string> adapter = _adapters.Resolve(context, model, lora);
            if (!adapter.Succeeded)
            {
                await FailAsync(context, _logger, renameFields?.Invoke(adapter.Error) ?? adapter.Error).ConfigureAwait(false);
                return;
            }

            request = request with { Lora = adapter.Value };
        }

        if (context.Request.Headers[SessionAffinityHeader].ToString() is { Length: > 0 } affinity)
        {
            request = request with { SessionAffinity = affinity };
        }

        CancellationToken aborted = context.RequestAborted;
        using var stopSource = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        StringBuilder? transcript = _logger.IsEnabled(LogLevel.Trace) ? new StringBuilder() : null;
        try
        {
            TextGeneration generation = await _generation.StartAsync(model, request, stopSource.Token).ConfigureAwait(false);
            ToolCallReader? tools = request.EffectiveToolChoice.Mode != ToolChoiceMode.None && response is IToolCallResponse ? ToolCallReader.For(request.EffectiveToolChoice) : null;
            await GenerationPump.RunAsync(generation, response, transcript, aborted, tools).ConfigureAwait(false);
            if (transcript is not null)
            {
                string output = transcript.ToString();
                HostLog.GenerationOutput(_logger, modelId, output);
            }
        }
        catch (AiTextGenerationException exception) when (!aborted.IsCancellationRequested)
        {
            ApiError error = GenerationLog.Failed(_logger, modelId, exception);
            error = renameFields?.Invoke(error) ?? error;
            if (!response.Started)
            {
                await FailAsync(context, _logger, error).ConfigureAwait(false);
                return;
            }

            HostLog.StreamFailed(_logger, modelId, exception.Kind.ToString());
            await response.WriteErrorAsync(error, aborted).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // After the first byte the status is sent: an unexpected failure can only become an error event.
        catch (Exception exception) when (response.Started && !aborted.IsCancellationRequested && exception is not OperationCanceledException)
#pragma warning restore CA1031
        {
            HostLog.RuntimeFailure(_logger, modelId, exception);
            await response.WriteErrorAsync(ErrorMapping.Internal(), aborted).ConfigureAwait(false);
        }
        finally
        {
            // However the handler ends, the sequence stops and frees its slot (a no-op when it already ended).
            await stopSource.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Writes a refusal before anything was sent, in the route's API shape, and logs it.</summary>
    /// <param name="context">The HTTP request.</param>
    /// <param name="logger">The endpoint's logger.</param>
    /// <param name="error">The error.</param>
    /// <returns>A task that completes when the envelope is written.</returns>
    public static Task FailAsync(HttpContext context, ILogger logger, ApiError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        HostLog.RequestRefused(logger, error.Status, error.Code, error.Message);
        return ApiErrorWriter.WriteAsync(context, error);
    }
}
