using System.Diagnostics.Metrics;
using System.Globalization;
using Ember.Models.Catalog;
using Ember.Models.Lora;
using Ember.Models.Writing;
using Ember.Runtime.Diagnostics;
using Ember.Runtime.Engine;
using Ember.Runtime.Options;
using Ember.Runtime.Scheduling;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ember.Runtime.Pool;

/// <summary>
/// The hosted worker pool's lifecycle: in <see cref="StartAsync"/> it writes Ember's own models where asked, plans
/// every configured model (its configuration file read once, its served limits, the KV budget), loads every replica
/// (<see cref="ReplicaLoader"/>), warms it and publishes the <see cref="ServedModels"/>; in <see cref="StopAsync"/> it
/// stops them and disposes every native object.
/// </summary>
/// <remarks>The pool owns every worker and model it loads.</remarks>
public sealed class WorkerPool : IHostedService, IDisposable
{
    private readonly EmberOptions _options;
    private readonly ILogger<WorkerPool> _logger;
    private readonly ServedModels _served;

    /// <summary>Creates the pool; nothing is loaded until <see cref="StartAsync"/>.</summary>
    /// <param name="options">The models to serve.</param>
    /// <param name="logger">Logs loading and failures.</param>
    /// <param name="meters">Gets the meter on which the pool reports each model's load and cap.</param>
    /// <param name="served">Where the loaded models are published.</param>
    internal WorkerPool(IOptions<EmberOptions> options, ILogger<WorkerPool> logger, IMeterFactory meters, ServedModels served)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger;
        _served = served;
        PoolGauges.Register(meters, served);
    }

    /// <summary>Batch statistics of a served model, or <see langword="null"/> when it is not served.</summary>
    public SchedulerStatistics? GetStatistics(string modelId) => _served.GetStatistics(modelId);

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The KV caches would exceed <see cref="EmberOptions.KvCacheBudgetBytes"/>.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var plans = new List<ModelPlan>();
        foreach (var (id, options) in _options.Models)
        {
            var tokenizer = await OwnModelProvisioner.EnsureAsync(options, _logger, cancellationToken).ConfigureAwait(false);
            plans.Add(Plan(id, options, tokenizer));
        }

        var (budget, source) = _options.KvCacheBudgetBytes is { } configured ? (configured, "configured") : KvCacheBudget.Default();
        KvCacheBudget.Check(
            [.. plans.Where(plan => plan.Layout is not null && !new DecoderProvider(plan.Options.Provider, plan.Options.DeviceId).DeviceCache).Select(plan => (plan.Id, plan.Options, plan.Layout!, plan.Limits.ContextTokensLimit))],
            budget,
            source);
        var cpuReplicas = plans.Where(plan => plan.Options.Provider == ExecutionProvider.Cpu).Sum(plan => plan.Options.Replicas);
        for (var i = 0; i < plans.Count; i++)
        {
            var (threads, reason) = ThreadBudget.For(plans[i].Options, cpuReplicas, Environment.ProcessorCount);
            plans[i] = plans[i] with { IntraOpThreads = threads };
            Log.IntraOpThreads(_logger, plans[i].Id, threads, reason);
        }

        var (memory, memorySource) = _options.MemoryBytes is { } memoryBytes ? (memoryBytes, "configured") : MemoryFit.Default();
        MemoryFit.Check([.. plans.Select(HostMemory)], memory, memorySource);

        var loaded = new Dictionary<string, ServedModel>(StringComparer.Ordinal);
        try
        {
            foreach (var plan in plans)
            {
                loaded[plan.Id] = ReplicaLoader.Load(plan, _logger, cancellationToken);
                await ReplicaWarmUp.RunAsync(plan.Id, loaded[plan.Id], cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            // Models loaded before the failure are in no published table: release them here.
            Release(loaded.Values);
            throw;
        }

        // Published once complete: the gauges may enumerate it from another thread at any time.
        _served.Publish(loaded);
        Log.Ready(_logger, loaded.Values.Sum(model => model.Replicas.Count));
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        var models = _served.Clear();
        Release(models.Values);
        if (models.Count > 0)
        {
            Log.Unloaded(_logger);
        }
    }

    private ModelPlan Plan(string id, ModelOptions options, ModelTokenizer? tokenizer)
    {
        var entry = ModelCatalog.Get(id);
        var config = ModelConfigFile.Read(options.Folder);
        if (tokenizer is not null)
        {
            // A folder Ember wrote is rewritten for another tokenizer; one it did not write is never touched, and may disagree.
            var vocabSize = config.Model.TryGetProperty("vocab_size", out var size) && size.TryGetInt32(out var value) ? value : -1;
            if (vocabSize != tokenizer.VocabSize)
            {
                throw new InvalidOperationException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{EmberOptions.SectionName}:Models:{id}:Tokenizer: {Path.Combine(options.Tokenizer!, TokenizerWriter.TokenizerFileName)} has {tokenizer.VocabSize} tokens, but the model in {options.Folder} has {vocabSize} (model.vocab_size of its genai_config.json), and Ember did not write it; point Folder elsewhere to have the model written."));
            }
        }

        var (limits, clampedFrom) = ServedLimits.Resolve(entry, options, config.ContextLength);
        if (clampedFrom is { } configuredContext)
        {
            Log.ContextClamped(_logger, id, configuredContext, config.ContextLength);
        }

        // The continuous scheduler's decoder layout, read once: the KV budget and the decoder both need it.
        var layout = options.Scheduler == SchedulerKind.Continuous ? DecoderLayout.From(config) : null;
        if (options.KvCacheType != KvCacheType.Model)
        {
            KvCacheTypeRule.Check(id, options, layout ?? DecoderLayout.From(config));
        }

        if (options.SpeculativeTokens > 0 && layout is { LogitCounts: null })
        {
            throw new InvalidOperationException(
                $"{EmberOptions.SectionName}:Models:{id}:{nameof(ModelOptions.SpeculativeTokens)}: speculation verifies drafted tokens with the graph's " +
                $"{DecoderLayout.LogitCountsInput} and {DecoderLayout.QuerySeqlensInput} inputs, which the graph in {options.Folder} lacks (Ember writes its own " +
                $"models with them; the model builder's exports have neither). Set {nameof(ModelOptions.SpeculativeTokens)} to 0.");
        }

        layout = WithLora(id, options, layout);
        return new ModelPlan(id, options, entry, config, limits, layout) { Adapters = LoadAdapters(id, options, layout) };
    }

    /// <summary>
    /// The layout as the model serves adapters (<see cref="LoraOptions.Requested"/>): without LoRA inputs when it is to
    /// take none, with them added when it loads when it is to take them and its graph has none (a model builder export).
    /// </summary>
    /// <exception cref="InvalidOperationException">The model is to take adapters and its graph can get no LoRA inputs.</exception>
    private static DecoderLayout? WithLora(string id, ModelOptions options, DecoderLayout? layout)
    {
        switch (options.Lora.Requested, layout)
        {
            case (_, null):
                return null;
            case (false, _):
                return layout with { Lora = null };
            case (true, { Lora: null }):
                return layout.WithLoraInputsAdded() ?? throw new InvalidOperationException(
                    $"{EmberOptions.SectionName}:Models:{id}:Lora: the model is to take adapters, but its graph in {options.Folder} is in Ember's own form " +
                    $"({DecoderLayout.QuerySeqlensInput} packing) without LoRA inputs, which Ember adds only to model builder exports; have Ember write the model (Generate) to get them.");
            default:
                return layout;
        }
    }

    /// <summary>Loads and checks every adapter of the model; all that are refused are named at once.</summary>
    /// <exception cref="InvalidOperationException">An adapter is refused, or the graph takes none.</exception>
    private static List<LoraAdapter> LoadAdapters(string id, ModelOptions options, DecoderLayout? layout)
    {
        var adapters = new List<LoraAdapter>();
        if (options.Lora.Adapters.Count == 0)
        {
            return adapters;
        }

        var key = $"{EmberOptions.SectionName}:Models:{id}:Lora:Adapters";
        if (layout?.Lora is not { } shape)
        {
            throw new InvalidOperationException($"{key}: the model in {options.Folder} takes no LoRA adapters ({nameof(LoraOptions.Enabled)} is false; see docs/lora.md).");
        }

        var failures = new List<string>();
        foreach (var (name, folder) in options.Lora.Adapters.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            try
            {
                adapters.Add(LoraAdapter.Load(folder, name, shape, options.Lora.Limits));
            }
            catch (LoraAdapterException e)
            {
                failures.Add($"{key}:{name}: {e.Message}");
            }
        }

        return failures.Count == 0 ? adapters : throw new InvalidOperationException(string.Join(Environment.NewLine, failures));
    }

    /// <summary>What one replica of a plan holds in host memory: its weights on the CPU provider, its KV cache where it lives there.</summary>
    private static (string Id, ModelOptions Options, long WeightBytes, long CacheBytes) HostMemory(ModelPlan plan)
    {
        var provider = new DecoderProvider(plan.Options.Provider, plan.Options.DeviceId);
        var weights = plan.Options.Provider == ExecutionProvider.Cpu && plan.Config.DecoderPath is { } modelPath && File.Exists(modelPath) ? MemoryFit.WeightBytes(modelPath) : 0;
        var cache = plan.Layout is not null && !provider.DeviceCache ? KvCacheBudget.ReplicaBytes(plan.Options, plan.Layout, plan.Limits.ContextTokensLimit) : 0;
        return (plan.Id, plan.Options, weights, cache);
    }

    private static void Release(IEnumerable<ServedModel> models)
    {
        foreach (var worker in models.SelectMany(served => served.Replicas))
        {
            worker.Dispose();
        }
    }
}
