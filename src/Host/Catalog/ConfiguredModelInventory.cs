using Ember.Models.Catalog;
using Ember.Runtime.Options;
using Microsoft.Extensions.Options;

namespace Ember.Host.Catalog;

/// <summary>
/// The default <see cref="IModelInventory"/>: a model is installed when the runtime's configuration
/// (<c>Ember:Models</c>) serves it, and its limits are the catalog's with that configuration's overrides.
/// </summary>
/// <remarks>
/// The runtime may still lower a context limit to the model file's own context length at load; a request over
/// that is refused by the runtime (<c>LimitExceeded</c>). Immutable after construction; thread-safe.
/// </remarks>
public sealed class ConfiguredModelInventory : IModelInventory
{
    private readonly Dictionary<string, ModelLimits> _served;

    /// <summary>Creates the inventory from the runtime's options.</summary>
    /// <param name="options">The runtime's options.</param>
    public ConfiguredModelInventory(IOptions<EmberOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _served = new Dictionary<string, ModelLimits>(StringComparer.Ordinal);
        foreach ((string id, ModelOptions model) in options.Value.Models)
        {
            if (ModelCatalog.TryGet(id, out CatalogEntry? entry))
            {
                _served[id] = EffectiveLimits.Resolve(entry.Limits, model.Limits);
            }
        }
    }

    /// <inheritdoc />
    public bool IsInstalled(string modelId) => _served.ContainsKey(modelId);

    /// <inheritdoc />
    public ModelLimits LimitsOf(CatalogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return _served.TryGetValue(entry.Id, out ModelLimits? limits) ? limits : entry.Limits;
    }
}
