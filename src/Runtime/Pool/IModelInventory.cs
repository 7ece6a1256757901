using Ember.Models.Catalog;

namespace Ember.Runtime.Pool;

/// <summary>
/// Which catalog models this server serves, and the limits it serves them with: the catalog's, lowered by the
/// configured overrides and the model's own context length, computed once when the model loads. Model search,
/// the OpenAI model list, request parsing and <c>models/schema</c> read them here, so none can advertise a limit the
/// runtime then refuses.
/// </summary>
/// <remarks>Implementations must be thread-safe; the answers do not change between start and shutdown.</remarks>
public interface IModelInventory
{
    /// <summary>Tells whether a model is installed and loaded on this server.</summary>
    /// <param name="modelId">A catalog model id; compared ordinally.</param>
    /// <returns><see langword="true"/> when requests for the model can be served.</returns>
    bool IsInstalled(string modelId);

    /// <summary>Gets a model's limits as served, or the catalog's for a model not installed here.</summary>
    /// <param name="entry">The catalog entry.</param>
    /// <returns>The limits requests are checked against.</returns>
    ModelLimits LimitsOf(CatalogEntry entry);

    /// <summary>
    /// Tells whether an installed model takes <c>response_format</c> (structured output) and log probabilities: its
    /// scheduler is the continuous one and its tokenizer's vocabulary could be read. Stop strings every model takes.
    /// </summary>
    /// <param name="modelId">A catalog model id.</param>
    /// <returns><see langword="false"/> for a model not installed here.</returns>
    bool TakesStructuredOutput(string modelId);

    /// <summary>Gets the names of the LoRA adapters an installed model serves (<c>lora</c>, <c>model:adapter</c>).</summary>
    /// <param name="modelId">A catalog model id.</param>
    /// <returns>Empty for a model that serves none or is not installed here.</returns>
    IReadOnlyList<string> AdaptersOf(string modelId);

    /// <summary>Tells whether an installed model's graph takes LoRA adapters.</summary>
    /// <param name="modelId">A catalog model id.</param>
    /// <returns><see langword="false"/> for a model not installed here.</returns>
    bool TakesLora(string modelId);
}
