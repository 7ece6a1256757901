using Ember.Host.Batch;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the batch API: its options, its store (SQLite, or PostgreSQL when configured), the endpoint and the worker.</summary>
public static class EmberBatchServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="BatchOptions"/> from the <c>Batch</c> section (validated on start; a relative folder is resolved
    /// against <paramref name="baseDirectory"/>) and adds the store, <see cref="BatchEndpoint"/> and the hosted
    /// <see cref="BatchWorker"/>. Needs the runtime (<c>AddEmberRuntime</c>).
    /// </summary>
    public static IServiceCollection AddEmberBatch(this IServiceCollection services, IConfiguration configuration, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(baseDirectory);
        services.AddOptionsWithValidateOnStart<BatchOptions>()
            .Bind(configuration.GetSection(BatchOptions.SectionName))
            .PostConfigure(options => options.Folder = Path.GetFullPath(options.Folder, baseDirectory));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BatchOptions>, BatchOptionsValidator>());
        services.TryAddSingleton<BatchProgress>();
        services.TryAddSingleton<BatchMeters>();
        services.TryAddSingleton<IBatchStore>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<BatchOptions>>().Value;
            return options.PostgresConnectionString is { Length: > 0 } connection
                ? new PostgresBatchStore(connection)
                : new SqliteBatchStore(Path.Combine(options.Folder, "batch.db"));
        });
        services.TryAddSingleton<BatchEndpoint>();
        services.AddHostedService<BatchWorker>();
        return services;
    }
}
