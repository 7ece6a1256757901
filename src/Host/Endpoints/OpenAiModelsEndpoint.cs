using Ember.Host.Json;
using Ember.Host.Responses;
using Ember.Host.Routing;
using Ember.Host.Wire.OpenAi;
using Ember.Models.Catalog;
using Ember.Runtime.Generation;
using Ember.Runtime.Pool;
using Microsoft.AspNetCore.Mvc;

namespace Ember.Host.Endpoints;

/// <summary><c>GET …/ai/v1/models</c>: the installed models, and each adapter the caller may pick as <c>model:adapter</c>, in OpenAI's list shape.</summary>
/// <remarks>Thread-safe singleton.</remarks>
public sealed class OpenAiModelsEndpoint
{
    /// <summary>The <c>created</c> time of every catalog model: 2023-11-01, the catalog's date.</summary>
    public const long CatalogCreated = 1698796800;

    private readonly IModelInventory _inventory;
    private readonly IAdapterResolver? _adapters;

    /// <summary>Creates the endpoint.</summary>
    /// <param name="inventory">Which models are installed.</param>
    /// <param name="adapters">Which adapters each caller may pick (fine-tunes); <see langword="null"/>: those the model serves.</param>
    public OpenAiModelsEndpoint(IModelInventory inventory, IAdapterResolver? adapters = null)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        _inventory = inventory;
        _adapters = adapters;
    }

    /// <summary>Maps the endpoint.</summary>
    /// <param name="endpoints">The route builder.</param>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet(ApiRoutes.Models, (HttpContext context, [FromServices] OpenAiModelsEndpoint models) => models.ListAsync(context));
    }

    /// <summary>Handles <c>GET models</c>.</summary>
    /// <param name="context">The request.</param>
    /// <returns>A task that completes when the response is written.</returns>
    public Task ListAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var models = ModelCatalog.All
            .Select(entry => _inventory.Resolve(entry.Id))
            .OfType<ModelHandle>()
            .Where(model => model.IsInstalled)
            .SelectMany(model => (_adapters?.Names(context, model) ?? model.Adapters)
                .Select(adapter => new OpenAiModel($"{model.Id}:{adapter}", CatalogCreated, OwnedBy(model.Entry.Source)))
                .Prepend(new OpenAiModel(model.Id, CatalogCreated, OwnedBy(model.Entry.Source))))
            .ToArray();
        return context.Response.WriteAsJsonAsync(new OpenAiModelList(models), HostJson.Context.OpenAiModelList, contentType: null, context.RequestAborted);
    }

    private static string OwnedBy(ModelSource source) => source switch
    {
        ModelSource.Cloudflare => "cloudflare",
        ModelSource.HuggingFace => "huggingface",
        _ => "ember",
    };
}
