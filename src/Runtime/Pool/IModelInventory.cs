namespace Ember.Runtime.Pool;

/// <summary>
/// Tells which catalog models this server has weights configured for. The host's model search and
/// OpenAI-compatible model list ask it.
/// </summary>
/// <remarks>Implementations must be thread-safe; the answer does not change while the host runs.</remarks>
public interface IModelInventory
{
    /// <summary>Tells whether a model is installed (configured with weights) on this server.</summary>
    /// <param name="modelId">A catalog model id such as <c>@cf/meta/llama-2-7b-chat-int8</c>; compared ordinally.</param>
    /// <returns><see langword="true"/> when requests for the model can be served.</returns>
    bool IsInstalled(string modelId);
}
