using System.Text.Json;
using Ember.Host.Configuration;
using Ember.Host.Errors;
using Ember.Host.Validation;
using Ember.Runtime.Generation;
using Ember.Runtime.Pool;
using Microsoft.Extensions.Options;

namespace Ember.Host.Endpoints;

/// <summary>
/// Reads an OpenAI generation body for any of the endpoints (chat, completions, responses): the JSON (within the body limit), its <c>model</c> resolved
/// once against the catalog and the served limits, then the endpoint's fields (<see cref="OpenAiRequestParser"/>).
/// </summary>
/// <remarks>Thread-safe singleton.</remarks>
public sealed class OpenAiRequestReader
{
    private readonly IModelInventory _inventory;
    private readonly long _maxBodyBytes;

    /// <summary>Creates the reader.</summary>
    /// <param name="inventory">Gives each model's limits as served.</param>
    /// <param name="options">The body limit.</param>
    public OpenAiRequestReader(IModelInventory inventory, IOptions<EmberHostOptions> options)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(options);
        _inventory = inventory;
        _maxBodyBytes = options.Value.MaxRequestBodyBytes;
    }

    /// <summary>Reads the request's body.</summary>
    /// <param name="request">The HTTP request.</param>
    /// <param name="api">The endpoint: <see cref="RequestApis.OpenAiChat"/> or <see cref="RequestApis.OpenAiCompletions"/>.</param>
    /// <returns>The request, or the error to answer.</returns>
    public Task<Parsed<OpenAiRequest>> ReadAsync(HttpRequest request, RequestApis api) =>
        ReadAsync<OpenAiRequest>(request, api == RequestApis.OpenAiChat ? OpenAiRequestParser.ParseChat : OpenAiRequestParser.ParseCompletion, (parsed, lora) => parsed with { Generation = parsed.Generation with { Lora = lora } });

    /// <summary>Reads the request's body with an endpoint's own parser, once its <c>model</c> is resolved.</summary>
    /// <typeparam name="T">The checked request.</typeparam>
    /// <param name="request">The HTTP request.</param>
    /// <param name="parse">Parses the body for the model, resolved once here.</param>
    /// <param name="withLora">Gives the parsed request the adapter a <c>model</c> of the form <c>model:adapter</c> names.</param>
    /// <returns>The request, or the error to answer.</returns>
    public async Task<Parsed<T>> ReadAsync<T>(HttpRequest request, Func<JsonElement, ModelHandle, Parsed<T>> parse, Func<T, string, T> withLora)
    {
        ArgumentNullException.ThrowIfNull(withLora);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(parse);
        Parsed<JsonDocument> body = await RequestBodyReader.ReadJsonAsync(request, _maxBodyBytes, request.HttpContext.RequestAborted).ConfigureAwait(false);
        if (!body.Succeeded)
        {
            return body.Error;
        }

        using JsonDocument document = body.Value;
        JsonElement root = document.RootElement;
        Parsed<string> modelId = OpenAiRequestParser.ReadModelId(root);
        if (!modelId.Succeeded)
        {
            return modelId.Error;
        }

        string? lora = null;
        if (_inventory.Resolve(modelId.Value) is not { } model)
        {
            // vLLM's form: "<model>:<adapter>", the adapter one the model serves (listed in v1/models).
            int colon = modelId.Value.LastIndexOf(':');
            model = colon > 0 ? _inventory.Resolve(modelId.Value[..colon]) : null;
            if (model is null)
            {
                return ErrorMapping.NoSuchModel(modelId.Value);
            }

            lora = modelId.Value[(colon + 1)..];
        }

        Parsed<T> parsed = parse(root, model);
        return lora is null || !parsed.Succeeded ? parsed : new Parsed<T>(withLora(parsed.Value, lora));
    }
}
