using Ember.Host.Responses;
using Ember.Host.Validation;
using Ember.Runtime.Generation;

namespace Ember.Host.Finetunes;

/// <summary>
/// Resolves a request's adapter for its caller against the fine-tunes (<see cref="FinetuneStore.Resolve"/>): those of
/// runtime.json by name, the caller's fine-tunes and public ones by name or id.
/// </summary>
/// <remarks>Thread-safe singleton.</remarks>
public sealed class FinetuneAdapters : IAdapterResolver
{
    private readonly FinetuneStore _store;

    /// <summary>Creates the resolver.</summary>
    /// <param name="store">The fine-tunes.</param>
    public FinetuneAdapters(FinetuneStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <inheritdoc/>
    public Parsed<string> Resolve(HttpContext context, ModelHandle model, string lora) => _store.Resolve(FinetuneCaller.From(context), model, lora);

    /// <inheritdoc/>
    public IReadOnlyList<string> Names(HttpContext context, ModelHandle model) => _store.Names(FinetuneCaller.From(context), model);
}
