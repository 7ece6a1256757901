using Ember.Runtime.Diagnostics;
using Ember.Runtime.Engine;
using Ember.Runtime.Generation;
using Ember.Runtime.Options;
using Ember.Runtime.Scheduling;
using Microsoft.Extensions.Logging;

namespace Ember.Runtime.Pool;

/// <summary>Loads a planned model's replicas on their execution provider, each with its scheduler, and starts them.</summary>
internal static class ReplicaLoader
{
    /// <summary>Loads every replica of <paramref name="plan"/>.</summary>
    /// <returns>The served model; it owns the replicas.</returns>
    public static ServedModel Load(ModelPlan plan, ILogger logger, CancellationToken cancellationToken)
    {
        var options = plan.Options;
        var statistics = new SchedulerStatistics();
        var workers = new List<ModelWorker>();
        try
        {
            for (var i = 0; i < options.Replicas; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Log.LoadingModel(logger, plan.Id, i, options.Folder, options.Provider.ToString());
                // The continuous scheduler runs the decoder itself: it needs ORT GenAI's tokenizer, not a second copy of the weights.
                var model = plan.Layout is null
                    ? GenAIModel.Load(options.Folder, options.Provider, options.DeviceId, plan.IntraOpThreads, plan.Config.ContextLength)
                    : GenAIModel.LoadTokenizer(options.Folder, plan.Config.ContextLength);
                var worker = new ModelWorker($"{plan.Id}#{i}", model, CreateLoop(plan, i, model, statistics, logger), options.SequenceCap, options.QueueBound, logger);
                workers.Add(worker);
                worker.Start();
            }
        }
        catch
        {
            workers.ForEach(w => w.Dispose());
            throw;
        }

        return new ServedModel(plan.Entry, plan.Limits, options.RequestTimeout, options.Scheduler, workers, statistics)
        {
            Adapters = [.. plan.Adapters.Select(adapter => adapter.Name)],
            AdapterTarget = plan.Layout?.Lora is { } shape ? new AdapterTarget(shape, options.Lora.Limits, options.Lora.MaxAdapters) : null,
            AdaptersUnavailable = AdaptersUnavailable(plan),
        };
    }

    /// <summary>Why the model takes no adapters, or <see langword="null"/> when it takes them.</summary>
    private static string? AdaptersUnavailable(ModelPlan plan) => plan.Layout switch
    {
        null => $"it runs on the wave scheduler (Scheduler: {plan.Options.Scheduler}), which serves no adapters; they need Scheduler: {SchedulerKind.Continuous}",
        { Lora: null } when plan.Options.Lora.Enabled == false => $"{EmberOptions.SectionName}:Models:{plan.Id}:Lora:Enabled is false",
        { Lora: null } => $"its graph in {plan.Options.Folder} has no LoRA inputs; set {EmberOptions.SectionName}:Models:{plan.Id}:Lora:Enabled to true to have them added (docs/lora.md)",
        _ => null,
    };

    /// <summary>The replica's scheduler: continuous over the plan's layout, or waves when it has none (Scheduler Waves).</summary>
    private static IBatchLoop CreateLoop(ModelPlan plan, int replica, GenAIModel model, SchedulerStatistics statistics, ILogger logger)
    {
        var options = plan.Options;
        var name = $"{plan.Id}#{replica}";
        if (plan.Layout is not { } layout)
        {
            return new WaveLoop(model, options.SequenceCap, statistics, logger, name);
        }

        try
        {
            var provider = new DecoderProvider(options.Provider, options.DeviceId);
            var decoder = NativeObjectCounter.Track(DecoderSession.Load(layout, options.SequenceCap, plan.Limits.ContextTokensLimit, plan.IntraOpThreads, options.IntraOpSpinning, provider));
            if (plan.Adapters.Count > 0)
            {
                decoder.UseAdapters(plan.Adapters);
            }

            Log.ContinuousLoaded(logger, plan.Id, replica, options.Provider.ToString(), decoder.Slots, decoder.MaxLength, decoder.CacheBytes >> 20, layout.Types.Cache.ToString(), KvCacheBudget.BytesPerToken(layout), decoder.CacheWhere);
            var settings = new PlannerSettings(options.MixedSteps, options.EffectiveStepTokens, options.PrefillChunkTokens, provider.ChunkedPrefill, options.PrefixCaching, options.Retention, model.EosTokenId, options.SpeculativeTokens) { LoraBatching = options.LoraBatching };
            var loop = new ContinuousLoop(decoder, new GenAISequenceTokenizer(model), settings, statistics, logger, name);
            Log.StepPath(
                logger,
                plan.Id,
                replica,
                loop.MixedSteps
                    ? $"mixed steps of at most {settings.StepTokens} tokens (one Run carries decode rows and prefill chunks){(loop.SpeculativeTokens > 0 ? $", n-gram speculation of up to {loop.SpeculativeTokens} tokens" : "")}"
                    : $"separate steps (prefill and decode in Runs of their own, {settings.PrefillChunkTokens} prompt tokens a step)",
                options.MixedSteps ? decoder.MixedStepsReason : "MixedSteps is off",
                options.Retention.ToString());
            return loop;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
