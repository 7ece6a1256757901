using Ember.Models.Lora;
using Ember.Runtime.Generation;

namespace Ember.Runtime.Pool;

/// <summary>
/// Adds LoRA adapters to a served model while it runs (uploaded fine-tunes): checked by the caller against the model's
/// <see cref="ModelHandle.AdapterTarget"/>, then served by every replica from its next step on, and named in
/// <see cref="ModelHandle.Adapters"/> once every replica serves them.
/// </summary>
/// <remarks>Implementations must be thread-safe.</remarks>
public interface IAdapterRegistry
{
    /// <summary>Serves <paramref name="adapters"/> (each already checked against the model) beside those <paramref name="model"/> serves; one whose name it serves already is skipped.</summary>
    /// <param name="model">A served model, as <see cref="IModelInventory.Resolve"/> gave it.</param>
    /// <param name="adapters">The adapters, in the order they are appended.</param>
    /// <param name="cancellationToken">Abandons the wait for an addition to the same model already running.</param>
    /// <returns>The names added.</returns>
    /// <exception cref="AiTextGenerationException">
    /// The model is not installed or takes no adapters (bad input), the adapters would be more than it serves at most
    /// (over a limit), or a replica could not take them (a runtime failure: nothing is served).
    /// </exception>
    Task<IReadOnlyList<string>> AddAsync(ModelHandle model, IReadOnlyList<LoraAdapter> adapters, CancellationToken cancellationToken);
}
