using Ember.Models.Catalog;
using Ember.Models.Lora;
using Ember.Runtime.Generation;
using Ember.Runtime.Scheduling;

namespace Ember.Runtime.Pool;

/// <summary>
/// The registry of loaded models: the <see cref="WorkerPool"/> publishes it once every model is loaded and clears it at
/// shutdown; requests, the inventory, readiness and the gauges read it.
/// </summary>
/// <remarks>Thread-safe: the table is replaced whole, never changed in place.</remarks>
internal sealed class ServedModels : IModelInventory, IModelReadiness, IAdapterRegistry
{
    private volatile IReadOnlyDictionary<string, ServedModel> _models = new Dictionary<string, ServedModel>();
    private volatile bool _ready;

    /// <inheritdoc/>
    public bool IsReady => _ready;

    /// <summary>Gets the loaded models by id.</summary>
    public IReadOnlyDictionary<string, ServedModel> All => _models;

    /// <summary>The served model with this id.</summary>
    public bool TryGet(string modelId, out ServedModel served) => _models.TryGetValue(modelId, out served!);

    /// <inheritdoc/>
    /// <remarks>The catalog is asked only on a miss.</remarks>
    public ModelHandle? Resolve(string modelId)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        if (_models.TryGetValue(modelId, out var served))
        {
            return served;
        }

        return ModelCatalog.TryGet(modelId, out var entry) ? new ModelHandle(entry, entry.Limits, abilities: null) : null;
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<string>> AddAsync(ModelHandle model, IReadOnlyList<LoraAdapter> adapters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model is not ServedModel served || !_models.TryGetValue(served.Id, out var current) || !ReferenceEquals(current, served))
        {
            throw new AiTextGenerationException(AiErrorKind.ModelNotInstalled, $"Model '{model.Id}' is not served here; adapters are added to a served model.");
        }

        return served.AddAdaptersAsync(adapters, cancellationToken);
    }

    /// <summary>Batch statistics of a served model, or <see langword="null"/> when it is not served.</summary>
    public SchedulerStatistics? GetStatistics(string modelId) => _models.TryGetValue(modelId, out var served) ? served.Statistics : null;

    /// <summary>Publishes the loaded models and reports ready.</summary>
    public void Publish(IReadOnlyDictionary<string, ServedModel> models)
    {
        _models = models;
        _ready = true;
    }

    /// <summary>Reports not ready and empties the table.</summary>
    /// <returns>The models that were published, for their owner to release.</returns>
    public IReadOnlyDictionary<string, ServedModel> Clear()
    {
        _ready = false;
        var models = _models;
        _models = new Dictionary<string, ServedModel>();
        return models;
    }
}
