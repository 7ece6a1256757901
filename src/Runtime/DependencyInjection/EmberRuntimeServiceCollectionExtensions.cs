using System.Diagnostics.Metrics;
using Ember.Runtime.Diagnostics;
using Ember.Runtime.Generation;
using Ember.Runtime.Options;
using Ember.Runtime.Pool;
using Ember.Runtime.Service;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Ember's runtime: options, the worker pool, its metrics and <see cref="IAiTextGeneration"/>.</summary>
public static class EmberRuntimeServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="EmberOptions"/> from the <c>Ember</c> section (validated on start, every failure at once),
    /// resolves relative model and tokenizer folders against <paramref name="baseDirectory"/>, and adds the hosted
    /// <see cref="WorkerPool"/>, the <see cref="IModelInventory"/>, <see cref="IModelReadiness"/> and <see cref="IAdapterRegistry"/> it publishes, and
    /// <see cref="IAiTextGeneration"/>.
    /// </summary>
    public static IServiceCollection AddEmberRuntime(this IServiceCollection services, IConfiguration configuration, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(baseDirectory);
        services.AddOptions<EmberOptions>()
            .Bind(configuration.GetSection(EmberOptions.SectionName))
            .PostConfigure(options =>
            {
                foreach (var model in options.Models.Values)
                {
                    if (!string.IsNullOrWhiteSpace(model.Folder))
                    {
                        model.Folder = Path.GetFullPath(model.Folder, baseDirectory);
                    }

                    if (!string.IsNullOrWhiteSpace(model.Tokenizer))
                    {
                        model.Tokenizer = Path.GetFullPath(model.Tokenizer, baseDirectory);
                    }

                    foreach (var name in model.Lora.Adapters.Keys.ToList())
                    {
                        model.Lora.Adapters[name] = Path.GetFullPath(model.Lora.Adapters[name], baseDirectory);
                    }
                }
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EmberOptions>, EmberOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<GenerationMetrics>();
        services.TryAddSingleton<ServedModels>();
        services.TryAddSingleton<IModelReadiness>(sp => sp.GetRequiredService<ServedModels>());
        services.TryAddSingleton<IModelInventory>(sp => sp.GetRequiredService<ServedModels>());
        services.TryAddSingleton<IAdapterRegistry>(sp => sp.GetRequiredService<ServedModels>());
        services.TryAddSingleton(sp => new WorkerPool(
            sp.GetRequiredService<IOptions<EmberOptions>>(),
            sp.GetRequiredService<ILogger<WorkerPool>>(),
            sp.GetRequiredService<IMeterFactory>(),
            sp.GetRequiredService<ServedModels>()));
        services.AddHostedService(sp => sp.GetRequiredService<WorkerPool>());
        services.TryAddSingleton<IAiTextGeneration>(sp => new AiTextGenerationService(
            sp.GetRequiredService<ServedModels>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<GenerationMetrics>()));
        return services;
    }

    /// <summary>
    /// Adds an <see cref="Microsoft.Extensions.AI.IChatClient"/> (<see cref="EmberChatClient"/>) over the runtime's
    /// <see cref="IAiTextGeneration"/>, serving <paramref name="modelId"/> unless a call's options name another model.
    /// Call <see cref="AddEmberRuntime"/> too.
    /// </summary>
    public static IServiceCollection AddEmberChatClient(this IServiceCollection services, string modelId)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        services.TryAddSingleton<Microsoft.Extensions.AI.IChatClient>(sp => new EmberChatClient(sp.GetRequiredService<IAiTextGeneration>(), modelId));
        return services;
    }
}
