using Ember.Host.Catalog;
using Ember.Models.Catalog;
using Ember.Runtime.Generation;
using Ember.Runtime.Pool;

namespace Ember.Host.Tests.Infrastructure;

/// <summary>Readiness and inventory for the scripted runtime: ready, with only the tiny model installed, catalog limits.</summary>
public sealed class FakeModelPool : IModelReadiness, IModelInventory
{
    /// <summary>Gets or sets a value indicating whether <c>/readyz</c> reports ready.</summary>
    public bool IsReady { get; set; } = true;

    /// <inheritdoc />
    public ModelHandle? Resolve(string modelId) =>
        ModelCatalog.TryGet(modelId, out var entry)
            ? new ModelHandle(entry, entry.Limits, modelId == ModelCatalog.TinyLlamaId ? new ModelAbilities(TokenPenalties: true, LogprobsUnavailable: null, VocabularyUnavailable: null) : null)
            : null;
}
