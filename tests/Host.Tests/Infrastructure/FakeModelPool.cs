using Ember.Host.Catalog;
using Ember.Models.Catalog;
using Ember.Runtime.Pool;

namespace Ember.Host.Tests.Infrastructure;

/// <summary>Readiness and inventory for the scripted runtime: ready, with only the tiny model installed, catalog limits.</summary>
public sealed class FakeModelPool : IModelReadiness, IModelInventory
{
    /// <summary>Gets or sets a value indicating whether <c>/readyz</c> reports ready.</summary>
    public bool IsReady { get; set; } = true;

    /// <inheritdoc />
    public bool IsInstalled(string modelId) => modelId == ModelCatalog.TinyLlamaId;

    /// <inheritdoc />
    public ModelLimits LimitsOf(CatalogEntry entry) => entry.Limits;

    /// <inheritdoc />
    public bool TakesStructuredOutput(string modelId) => IsInstalled(modelId);

    /// <inheritdoc />
    public IReadOnlyList<string> AdaptersOf(string modelId) => [];

    /// <inheritdoc />
    public bool TakesLora(string modelId) => false;
}
