using Ember.Models.Catalog;

namespace Ember.Host.Catalog;

/// <summary>
/// Which catalog models this server serves, and with what limits: what the model search, the OpenAI model
/// list and request validation need to know of the runtime's configuration.
/// </summary>
/// <remarks>Implementations must be thread-safe; the answers do not change while the host runs.</remarks>
public interface IModelInventory
{
    /// <summary>Tells whether a model is installed (configured with weights) on this server.</summary>
    /// <param name="modelId">A catalog model id; compared ordinally.</param>
    /// <returns><see langword="true"/> when requests for the model can be served.</returns>
    bool IsInstalled(string modelId);

    /// <summary>Gets a model's limits as served: the catalog's, with configured overrides applied.</summary>
    /// <param name="entry">The catalog entry.</param>
    /// <returns>The limits requests are checked against.</returns>
    ModelLimits LimitsOf(CatalogEntry entry);
}
