using Ember.Models.Catalog;

namespace Ember.Runtime.Generation;

/// <summary>
/// A catalog model as this server serves it, resolved once where a request arrives and passed on from there: its
/// catalog entry, the limits requests are checked against, and what its scheduler can do.
/// </summary>
/// <remarks>
/// The runtime's inventory hands these out (<c>IModelInventory.Resolve</c>); the handle of an installed model is the
/// runtime's own served model, so <see cref="IAiTextGeneration.StartAsync(ModelHandle, TextGenerationRequest, CancellationToken)"/>
/// looks nothing up again. Thread-safe; immutable but for <see cref="Adapters"/>, which only grows (an adapter added
/// while the model runs is appended, so an adapter's index never changes), and each read sees a whole list.
/// </remarks>
public class ModelHandle
{
    private volatile IReadOnlyList<string> _adapters = [];

    /// <summary>Creates a handle.</summary>
    /// <param name="entry">The catalog entry.</param>
    /// <param name="limits">The limits it is served with (the catalog's for a model not installed here).</param>
    /// <param name="abilities">What its scheduler can do; <see langword="null"/> for a model not installed here.</param>
    public ModelHandle(CatalogEntry entry, ModelLimits limits, ModelAbilities? abilities)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(limits);
        Entry = entry;
        Limits = limits;
        Abilities = abilities;
    }

    /// <summary>Gets the catalog entry.</summary>
    public CatalogEntry Entry { get; }

    /// <summary>Gets the catalog id, such as <c>@cf/meta/llama-2-7b-chat-int8</c>.</summary>
    public string Id => Entry.Id;

    /// <summary>Gets the limits requests are checked against: as served (after overrides and the model's own context length), or the catalog's for a model not installed here.</summary>
    public ModelLimits Limits { get; }

    /// <summary>Gets what the model's scheduler can do, or <see langword="null"/> when the model is not installed on this server.</summary>
    public ModelAbilities? Abilities { get; }

    /// <summary>Gets a value indicating whether the model is installed and loaded on this server.</summary>
    public bool IsInstalled => Abilities is not null;

    /// <summary>
    /// Gets the names of the LoRA adapters it serves (<c>lora</c>, <c>model:adapter</c>); a request's adapter is its index
    /// here. Empty for a model that serves none or is not installed here. Adapters added while it runs are appended.
    /// </summary>
    public IReadOnlyList<string> Adapters
    {
        get => _adapters;
        init => _adapters = value;
    }

    /// <summary>Gets a value indicating whether it takes LoRA adapters (the continuous scheduler on a graph with the adapter inputs): whether it has an <see cref="AdapterTarget"/>.</summary>
    public bool TakesLora => AdapterTarget is not null;

    /// <summary>
    /// Gets what an adapter added while the model runs is checked against, or <see langword="null"/> when it takes none
    /// (<see cref="AdaptersUnavailable"/> says why).
    /// </summary>
    public AdapterTarget? AdapterTarget { get; init; }

    /// <summary>Gets why the installed model takes no adapters (its scheduler, its graph), or <see langword="null"/> when it takes them or is not installed here.</summary>
    public string? AdaptersUnavailable { get; init; }

    /// <summary>Publishes the names of the adapters served once every replica serves them; <paramref name="adapters"/> starts with those served before.</summary>
    internal void PublishAdapters(IReadOnlyList<string> adapters) => _adapters = adapters;
}
