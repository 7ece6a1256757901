using System.Diagnostics.Metrics;
using System.Text.Json;
using Ember.Models.Catalog;
using Ember.Runtime.Diagnostics;
using Ember.Runtime.Engine;
using Ember.Runtime.Options;
using Ember.Runtime.Scheduling;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ember.Runtime.Pool;

/// <summary>
/// The hosted worker pool: in <see cref="StartAsync"/> it writes Ember's own models where asked, loads every
/// replica of every configured model on its execution provider and starts their schedulers; in
/// <see cref="StopAsync"/> it stops them and disposes every native object.
/// </summary>
/// <remarks>Lookups are thread-safe once started. The pool owns every worker and model it loads.</remarks>
public sealed class WorkerPool : IHostedService, IModelReadiness, IDisposable
{
    private readonly EmberOptions _options;
    private readonly ILogger<WorkerPool> _logger;
    private volatile Dictionary<string, ServedModel> _models = [];
    private volatile bool _ready;

    /// <summary>Creates the pool; nothing is loaded until <see cref="StartAsync"/>.</summary>
    /// <param name="options">The models to serve.</param>
    /// <param name="logger">Logs loading and failures.</param>
    /// <param name="meters">Gets the <see cref="GenerationMetrics.MeterName"/> meter, on which the pool reports each model's load and cap.</param>
    public WorkerPool(IOptions<EmberOptions> options, ILogger<WorkerPool> logger, IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meters);
        _options = options.Value;
        _logger = logger;
        var meter = meters.Create(GenerationMetrics.MeterName);
        meter.CreateObservableUpDownCounter("ember.sequences.load", () => Measure(replica => replica.Load), "{sequence}", "Sequences decoding or queued, over the model's replicas.");
        meter.CreateObservableUpDownCounter("ember.requests.queued", () => Measure(replica => replica.Queued), "{request}", "Requests waiting for a slot, over the model's replicas.");
        meter.CreateObservableUpDownCounter("ember.sequences.cap", () => Measure(replica => replica.SequenceCap), "{sequence}", "Sequences the model's replicas may decode at once, together.");
    }

    /// <inheritdoc/>
    public bool IsReady => _ready;

    /// <summary>Batch statistics of a served model, or <see langword="null"/> when it is not served.</summary>
    public SchedulerStatistics? GetStatistics(string modelId) => _models.TryGetValue(modelId, out var served) ? served.Statistics : null;

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The KV caches would exceed <see cref="EmberOptions.KvCacheBudgetBytes"/>.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var plans = new List<(string Id, ModelOptions Options, CatalogEntry Entry, ModelLimits Limits, int ContextLength, DecoderLayout? Layout)>();
        foreach (var (id, options) in _options.Models)
        {
            await OwnModelProvisioner.EnsureAsync(options, _logger, cancellationToken).ConfigureAwait(false);
            var entry = ModelCatalog.Get(id);
            var contextLength = await ReadContextLengthAsync(options.Folder, cancellationToken).ConfigureAwait(false);
            var limits = EffectiveLimits.Resolve(entry.Limits, options.Limits);
            if (limits.ContextTokensLimit > contextLength)
            {
                Log.ContextClamped(_logger, id, limits.ContextTokensLimit, contextLength);
                limits = new ModelLimits(limits.DefaultMaxTokens, limits.DefaultMaxTokensStream, contextLength, Math.Min(limits.SequenceTokensLimit, contextLength));
            }

            // The continuous scheduler's decoder layout, read once: the KV budget and the decoder both need it.
            var layout = options.Scheduler == SchedulerKind.Continuous ? DecoderLayout.Read(options.Folder) : null;
            plans.Add((id, options, entry, limits, contextLength, layout));
        }

        var (budget, source) = _options.KvCacheBudgetBytes is { } configured ? (configured, "configured") : KvCacheBudget.Default();
        KvCacheBudget.Check(
            [.. plans.Where(plan => plan.Layout is not null && !new DecoderProvider(plan.Options.Provider, plan.Options.DeviceId).DeviceCache).Select(plan => (plan.Id, plan.Options, plan.Layout!, plan.Limits.ContextTokensLimit))],
            budget,
            source);

        var replicas = 0;
        var loaded = new Dictionary<string, ServedModel>(StringComparer.Ordinal);
        try
        {
            foreach (var (id, options, entry, limits, contextLength, layout) in plans)
            {
                var statistics = new SchedulerStatistics();
                var workers = new List<ModelWorker>();
                try
                {
                    for (var i = 0; i < options.Replicas; i++)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        Log.LoadingModel(_logger, id, i, options.Folder, options.Provider.ToString());
                        // The continuous scheduler runs the decoder itself: it needs ORT GenAI's tokenizer, not a second copy of the weights.
                        var model = layout is null
                            ? GenAIModel.Load(options.Folder, options.Provider, options.DeviceId, options.IntraOpThreads, contextLength)
                            : GenAIModel.LoadTokenizer(options.Folder, contextLength);
                        var worker = new ModelWorker($"{id}#{i}", model, CreateLoop(id, i, options, layout, model, limits, statistics), options.SequenceCap, options.QueueBound, _logger);
                        workers.Add(worker);
                        worker.Start();
                        replicas++;
                    }
                }
                catch
                {
                    workers.ForEach(w => w.Dispose());
                    throw;
                }

                loaded[id] = new ServedModel(entry, limits, options.RequestTimeout, options.Scheduler, workers, statistics);
                await ReplicaWarmUp.RunAsync(id, loaded[id], cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            // Models loaded before the failure are in no published table: release them here.
            Release(loaded.Values);
            throw;
        }

        // Published once complete: the gauges may enumerate it from another thread at any time.
        _models = loaded;
        _ready = true;
        Log.Ready(_logger, replicas);
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _ready = false;
        Dispose();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _ready = false;
        var models = _models;
        _models = [];
        Release(models.Values);

        if (models.Count > 0)
        {
            Log.Unloaded(_logger);
        }
    }

    private static void Release(IEnumerable<ServedModel> models)
    {
        foreach (var worker in models.SelectMany(served => served.Replicas))
        {
            worker.Dispose();
        }
    }

    private IEnumerable<Measurement<int>> Measure(Func<ModelWorker, int> figure) =>
        _models.Select(model => new Measurement<int>(
            model.Value.Replicas.Sum(figure),
            new KeyValuePair<string, object?>(GenerationMetrics.ModelTag, model.Key)));

    /// <summary>The replica's scheduler: continuous over <paramref name="layout"/>, or waves when the plan read none (Scheduler Waves).</summary>
    private IBatchLoop CreateLoop(string id, int replica, ModelOptions options, DecoderLayout? layout, GenAIModel model, ModelLimits limits, SchedulerStatistics statistics)
    {
        var name = $"{id}#{replica}";
        if (layout is null)
        {
            return new WaveLoop(model, options.SequenceCap, statistics, _logger, name);
        }

        try
        {
            var provider = new DecoderProvider(options.Provider, options.DeviceId);
            var decoder = NativeObjectCounter.Track(DecoderSession.Load(layout, options.SequenceCap, limits.ContextTokensLimit, options.IntraOpThreads, options.IntraOpSpinning, provider));
            Log.ContinuousLoaded(_logger, id, replica, options.Provider.ToString(), decoder.Slots, decoder.MaxLength, decoder.CacheBytes >> 20, decoder.CacheWhere);
            return new ContinuousLoop(decoder, model, options.PrefillChunkTokens, statistics, _logger, name);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The served model with this id.</summary>
    internal bool TryGet(string modelId, out ServedModel served) => _models.TryGetValue(modelId, out served!);

    private static async Task<int> ReadContextLengthAsync(string folder, CancellationToken cancellationToken)
    {
        var stream = File.OpenRead(Path.Combine(folder, "genai_config.json"));
        await using (stream.ConfigureAwait(false))
        {
            using var config = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            return config.RootElement.GetProperty("model").GetProperty("context_length").GetInt32();
        }
    }
}
