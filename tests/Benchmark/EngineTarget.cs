using System.Globalization;
using Ember.Models.Catalog;
using Ember.Runtime.Generation;
using Ember.Runtime.Pool;
using Ember.Runtime.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ember.Benchmark;

/// <summary>Ember's runtime in this process (generic host, <see cref="IAiTextGeneration"/>), no HTTP.</summary>
internal sealed class EngineTarget : IStreamingTarget
{
    private readonly IHost _host;
    private readonly IAiTextGeneration _generation;

    private EngineTarget(IHost host)
    {
        _host = host;
        _generation = host.Services.GetRequiredService<IAiTextGeneration>();
    }

    public string Mode => "engine";

    /// <summary>Gets or sets what picks each request's LoRA adapter (<c>lora</c>) as it is sent; null: none.</summary>
    public Func<string?>? Lora { get; set; }

    public SchedulerStatistics? Statistics => _host.Services.GetRequiredService<WorkerPool>().GetStatistics(ModelCatalog.TinyLlamaId);

    public static async Task<EngineTarget> StartAsync(string modelsRoot, string variant, int sequenceCap, int queueBound, int prefillChunk, CancellationToken cancellationToken, string provider = "Cpu", IReadOnlyDictionary<string, string>? settings = null)
    {
        var prefix = $"Ember:Models:{ModelCatalog.TinyLlamaId}:";
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        var values = new Dictionary<string, string?>
        {
            [prefix + "Folder"] = Path.Combine(modelsRoot, variant),
            [prefix + "Variant"] = variant,
            [prefix + "SequenceCap"] = sequenceCap.ToString(CultureInfo.InvariantCulture),
            [prefix + "QueueBound"] = queueBound.ToString(CultureInfo.InvariantCulture),
            [prefix + "PrefillChunkTokens"] = prefillChunk.ToString(CultureInfo.InvariantCulture),
            [prefix + "RequestTimeout"] = "00:10:00",
            [prefix + "Provider"] = provider,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            values[prefix + key] = value;
        }

        builder.Configuration.AddInMemoryCollection(values);
        builder.Logging.ClearProviders();
        builder.Services.AddEmberRuntime(builder.Configuration, modelsRoot);
        var host = builder.Build();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        return new EngineTarget(host);
    }

    public async Task StreamAsync(string prompt, int maxTokens, Func<double> clockMs, RequestSample sample, CancellationToken cancellationToken)
    {
        var request = new TextGenerationRequest { Prompt = prompt, MaxTokens = maxTokens, Temperature = 0, Stream = true, Lora = Lora?.Invoke() };
        var generation = await _generation.StartAsync(ModelCatalog.TinyLlamaId, request, cancellationToken).ConfigureAwait(false);
        await foreach (var _ in generation.ReadPiecesAsync(cancellationToken).ConfigureAwait(false))
        {
            sample.RecordToken(clockMs());
        }

        await generation.Completion.ConfigureAwait(false);
    }

    /// <summary>The whole greedy text of <paramref name="prompt"/>.</summary>
    public async Task<string> GreedyTextAsync(string prompt, int maxTokens, CancellationToken cancellationToken)
    {
        var request = new TextGenerationRequest { Prompt = prompt, MaxTokens = maxTokens, Temperature = 0 };
        var result = await _generation.RunAsync(ModelCatalog.TinyLlamaId, request, cancellationToken).ConfigureAwait(false);
        return result.Response;
    }

    public long? PeakRssBytes() => MemoryProbe.PeakRssBytes();

    public long? RssBytes() => MemoryProbe.RssBytes();

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync().ConfigureAwait(false);
        _host.Dispose();
    }
}
