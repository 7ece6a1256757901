using Ember.Host.Finetunes;
using Ember.Host.Responses;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the finetunes API: the store (under <c>Batch:Folder</c>), its endpoints, and the resolver of a request's adapter for its caller.</summary>
public static class EmberFinetunesServiceCollectionExtensions
{
    /// <summary>
    /// Adds the hosted <see cref="FinetuneStore"/> (it serves the stored fine-tunes again at start, after the models load),
    /// <see cref="FinetuneEndpoints"/> and <see cref="IAdapterResolver"/>. Needs the runtime (<c>AddEmberRuntime</c>) and
    /// the batch API's options (<c>AddEmberBatch</c>), added before it.
    /// </summary>
    public static IServiceCollection AddEmberFinetunes(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<FinetuneStore>();
        services.AddHostedService(provider => provider.GetRequiredService<FinetuneStore>());
        services.TryAddSingleton<FinetuneEndpoints>();
        services.TryAddSingleton<IAdapterResolver, FinetuneAdapters>();
        return services;
    }
}
