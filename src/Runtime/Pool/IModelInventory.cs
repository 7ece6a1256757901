using Ember.Runtime.Generation;

namespace Ember.Runtime.Pool;

/// <summary>
/// Which catalog models this server serves, and the limits it serves them with: the catalog's, lowered by the
/// configured overrides and the model's own context length, computed once when the model loads. A request's model is
/// resolved here once, where the request arrives, and passed on as a <see cref="ModelHandle"/>; model search, the
/// OpenAI model list, request parsing and <c>models/schema</c> read the same handles, so none can advertise a limit
/// the runtime then refuses.
/// </summary>
/// <remarks>Implementations must be thread-safe; the answers do not change between start and shutdown.</remarks>
public interface IModelInventory
{
    /// <summary>Resolves a model id: the served model's handle, or for a catalog model not installed here a handle with the catalog's limits and no abilities.</summary>
    /// <param name="modelId">A catalog model id; compared ordinally.</param>
    /// <returns>The handle, or <see langword="null"/> when the id is not in the catalog.</returns>
    ModelHandle? Resolve(string modelId);
}
