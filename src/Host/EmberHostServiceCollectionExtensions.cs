using Ember.Host.Auth;
using Ember.Host.Batch;
using Ember.Host.Catalog;
using Ember.Host.Configuration;
using Ember.Host.Endpoints;
using Ember.Host.Errors;
using Ember.Host.Playground;
using Ember.Host.Responses;
using Ember.Runtime.Diagnostics;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the HTTP host's services: options, authentication, metrics export and the endpoint handlers.</summary>
public static class EmberHostServiceCollectionExtensions
{
    /// <summary>
    /// The meters <c>/metrics</c> exports: Ember's runtime (requests, tokens, latencies, load), the batch API's, ASP.NET
    /// Core's HTTP server metrics, Kestrel's connections, and the .NET runtime's (GC, memory, CPU, thread pool).
    /// </summary>
    private static readonly string[] ExportedMeters =
        [GenerationMetrics.MeterName, BatchMeters.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Runtime"];

    /// <summary>
    /// Adds the host's services. The runtime itself (<c>IAiTextGeneration</c>, <c>IModelInventory</c>,
    /// <c>IModelReadiness</c>) is registered separately.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration holding the <c>Host</c> and <c>Auth</c> sections.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddEmberHost(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptionsWithValidateOnStart<EmberHostOptions>().Bind(configuration.GetSection(EmberHostOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EmberHostOptions>, EmberHostOptionsValidator>());
        services.AddOptionsWithValidateOnStart<AuthOptions>().Bind(configuration.GetSection(AuthOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>());

        // Kestrel enforces the same body limit, so a body is cut off at the socket as well as by the reader.
        // Header values are read as Latin-1 (Kestrel refuses a non-ASCII byte with an empty 400 otherwise), so a bad
        // Authorization header reaches the auth middleware and gets its 401 in the envelope. The request line may be
        // 64 KiB (Kestrel's default is 8 KiB, beyond which it answers 414 with an empty body), so a long model id in
        // the path is refused in the envelope as an unknown model. What Kestrel still refuses itself (a malformed request
        // line or header, a NUL in the target, a line or headers over their limits) is answered in the envelope too.
        services.TryAddSingleton<KestrelRefusalEnvelope>();
        services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<EmberHostOptions>, KestrelRefusalEnvelope>((kestrel, host, refusals) =>
            {
                kestrel.Limits.MaxRequestBodySize = host.Value.MaxRequestBodyBytes;
                kestrel.Limits.MaxRequestLineSize = EmberHostOptions.MaxRequestLineBytes;
                kestrel.RequestHeaderEncodingSelector = static _ => System.Text.Encoding.Latin1;
                kestrel.ConfigureEndpointDefaults(refusals.Apply);
            });

        // A stop waits for running requests (Kestrel drains them) for this long, then the models unload.
        services.AddOptions<HostOptions>()
            .Configure<IOptions<EmberHostOptions>>((hostOptions, host) => hostOptions.ShutdownTimeout = host.Value.ShutdownTimeout);

        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(ExportedMeters)
            .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => new BearerTokenSet(provider.GetRequiredService<IOptions<AuthOptions>>().Value.Tokens));
        services.TryAddSingleton<ServerActivity>();
        services.AddHostedService(provider => provider.GetRequiredService<ServerActivity>());
        services.TryAddSingleton<RunEndpoints>();
        services.TryAddSingleton<GenerationExchange>();
        services.TryAddSingleton<OpenAiRequestReader>();
        services.TryAddSingleton<OpenAiGenerationEndpoint>();
        services.TryAddSingleton<ResponsesEndpoint>();
        services.TryAddSingleton<OpenAiModelsEndpoint>();
        services.TryAddSingleton<ModelSearchEndpoints>();
        return services;
    }
}
