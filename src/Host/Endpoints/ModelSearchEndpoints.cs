using System.Globalization;
using Ember.Host.Catalog;
using Ember.Host.Diagnostics;
using Ember.Host.Errors;
using Ember.Host.Json;
using Ember.Host.Routing;
using Ember.Host.Validation;
using Ember.Host.Wire;
using Ember.Models.Catalog;
using Ember.Runtime.Generation;
using Ember.Runtime.Pool;
using Microsoft.AspNetCore.Mvc;

namespace Ember.Host.Endpoints;

/// <summary>
/// <c>GET …/ai/models/search</c> (the catalog in Cloudflare's shape, filtered and paged) and
/// <c>GET …/ai/models/schema?model=…</c> (a model's input and output JSON schema).
/// </summary>
/// <remarks>
/// Search parameters: <c>task</c> (the task's name or id; only <c>Text Generation</c> has models), <c>search</c>
/// (a case-insensitive part of the name or description), <c>page</c> (from 1) and <c>per_page</c> (1 to
/// <see cref="MaxPerPage"/>, default <see cref="DefaultPerPage"/>). Thread-safe singleton.
/// </remarks>
public sealed class ModelSearchEndpoints
{
    /// <summary>The Workers AI id of the text-generation task.</summary>
    public const string TextGenerationTaskId = "c329a1f9-323d-4e91-b2aa-582dd4188d34";

    /// <summary>The Workers AI name of the text-generation task.</summary>
    public const string TextGenerationTaskName = "Text Generation";

    /// <summary>The page size when none is given.</summary>
    public const int DefaultPerPage = 20;

    /// <summary>The largest page size.</summary>
    public const int MaxPerPage = 100;

    private static readonly ModelTask TextGenerationTask = new(
        TextGenerationTaskId,
        TextGenerationTaskName,
        "Family of generative text models, such as large language models (LLM), that can be adapted for a variety of natural language tasks.");

    private readonly IModelInventory _inventory;
    private readonly ILogger<ModelSearchEndpoints> _logger;

    /// <summary>Creates the endpoints.</summary>
    /// <param name="inventory">Which models are installed.</param>
    /// <param name="logger">Logs refusals.</param>
    public ModelSearchEndpoints(IModelInventory inventory, ILogger<ModelSearchEndpoints> logger)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(logger);
        _inventory = inventory;
        _logger = logger;
    }

    /// <summary>Maps the endpoints.</summary>
    /// <param name="endpoints">The route builder.</param>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet(ApiRoutes.ModelSearch, (HttpContext context, [FromServices] ModelSearchEndpoints models) => models.SearchAsync(context));
        endpoints.MapGet(ApiRoutes.ModelSchema, (HttpContext context, [FromServices] ModelSearchEndpoints models) => models.SchemaAsync(context));
    }

    /// <summary>Handles <c>models/search</c>.</summary>
    /// <param name="context">The request.</param>
    /// <returns>A task that completes when the response is written.</returns>
    public Task SearchAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        IQueryCollection query = context.Request.Query;
        Parsed<int> page = QueryInteger.Read(query, "page", 1, int.MaxValue, 1);
        if (!page.Succeeded)
        {
            return FailAsync(context, page.Error);
        }

        Parsed<int> perPage = QueryInteger.Read(query, "per_page", 1, MaxPerPage, DefaultPerPage);
        if (!perPage.Succeeded)
        {
            return FailAsync(context, perPage.Error);
        }

        string? task = query["task"];
        string? search = query["search"];
        bool taskMatches = string.IsNullOrEmpty(task)
            || task.Equals(TextGenerationTaskName, StringComparison.OrdinalIgnoreCase)
            || task.Equals(TextGenerationTaskId, StringComparison.OrdinalIgnoreCase);
        CatalogEntry[] matches = taskMatches
            ? ModelCatalog.All.Where(entry => string.IsNullOrEmpty(search)
                || entry.Id.Contains(search, StringComparison.OrdinalIgnoreCase)
                || entry.Description.Contains(search, StringComparison.OrdinalIgnoreCase)).ToArray()
            : [];

        long skip = (long)(page.Value - 1) * perPage.Value;
        ModelSearchItem[] items = matches.Skip((int)Math.Min(skip, int.MaxValue)).Take(perPage.Value).Select(ToItem).ToArray();
        var envelope = new ApiEnvelope<IReadOnlyList<ModelSearchItem>>(items)
        {
            ResultInfo = new ResultInfo(items.Length, page.Value, perPage.Value, matches.Length),
        };
        return context.Response.WriteAsJsonAsync(envelope, HostJson.Context.ApiEnvelopeIReadOnlyListModelSearchItem, contentType: null, context.RequestAborted);
    }

    /// <summary>Handles <c>models/schema</c>.</summary>
    /// <param name="context">The request.</param>
    /// <returns>A task that completes when the response is written.</returns>
    public Task SchemaAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string? modelId = context.Request.Query["model"];
        if (string.IsNullOrEmpty(modelId))
        {
            return FailAsync(context, ErrorMapping.InvalidInput("model", "is required"));
        }

        if (_inventory.Resolve(modelId) is not { } model)
        {
            return FailAsync(context, ErrorMapping.NoSuchModel(modelId));
        }

        var envelope = new ApiEnvelope<ModelSchema>(ModelSchemas.For(model.Entry, model.Limits));
        return context.Response.WriteAsJsonAsync(envelope, HostJson.Context.ApiEnvelopeModelSchema, contentType: null, context.RequestAborted);
    }

    private ModelSearchItem ToItem(CatalogEntry entry)
    {
        ModelHandle model = _inventory.Resolve(entry.Id) ?? throw new InvalidOperationException($"{entry.Id} is in the catalog but the inventory does not resolve it.");
        ModelLimits limits = model.Limits;
        ModelProperty[] properties =
        [
            new("context_window", Invariant(limits.ContextTokensLimit)),
            new("max_total_tokens", Invariant(limits.ContextTokensLimit)),
            new("max_sequence_tokens", Invariant(limits.SequenceTokensLimit)),
            new("default_max_tokens", Invariant(limits.DefaultMaxTokens)),
            new("default_max_tokens_stream", Invariant(limits.DefaultMaxTokensStream)),
            new("installed", model.IsInstalled ? "true" : "false"),
            new("stop", "true"),
            new("response_format", model.Abilities is { StructuredOutput: true } ? "true" : "false"),
            new("lora", model.TakesLora ? "true" : "false"),
        ];
        return new ModelSearchItem(
            ModelIdentity.For(entry.Id).ToString(),
            SourceNumber(entry.Source),
            entry.Id,
            entry.Description,
            TextGenerationTask,
            [],
            properties);
    }

    private static int SourceNumber(ModelSource source) => source switch
    {
        ModelSource.Cloudflare => 1,
        ModelSource.HuggingFace => 2,
        _ => 3,
    };

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private Task FailAsync(HttpContext context, ApiError error)
    {
        HostLog.RequestRefused(_logger, error.Status, error.Code, error.Message);
        return ApiErrorWriter.WriteAsync(context, error);
    }
}
