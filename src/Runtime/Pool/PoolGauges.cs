using System.Diagnostics.Metrics;
using Ember.Runtime.Diagnostics;
using Ember.Runtime.Scheduling;

namespace Ember.Runtime.Pool;

/// <summary>The pool's gauges on the <see cref="GenerationMetrics.MeterName"/> meter: each served model's load, queue and sequence cap.</summary>
internal static class PoolGauges
{
    /// <summary>Registers the gauges over <paramref name="models"/>.</summary>
    public static void Register(IMeterFactory meters, ServedModels models)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(GenerationMetrics.MeterName);
        meter.CreateObservableUpDownCounter("ember.sequences.load", () => Measure(models, replica => replica.Load), "{sequence}", "Sequences decoding or queued, over the model's replicas.");
        meter.CreateObservableUpDownCounter(GenerationMetrics.QueuedInstrument, () => Measure(models, replica => replica.Queued), "{request}", "Requests waiting for a slot, over the model's replicas.");
        meter.CreateObservableUpDownCounter("ember.sequences.cap", () => Measure(models, replica => replica.SequenceCap), "{sequence}", "Sequences the model's replicas may decode at once, together.");
        meter.CreateObservableUpDownCounter(GenerationMetrics.RunningInstrument, () => Measure(models, replica => replica.Load - replica.Queued), "{sequence}", "Sequences holding a slot (prefilling or decoding), over the model's replicas.");
        // The Gateway API Inference Extension's KVCacheUtilization (0-1): the cache is slotted, so the share of slots taken.
        meter.CreateObservableGauge("ember.kv_cache.utilization", () => Utilization(models), unit: null, "Share of the model's KV cache slots held by sequences, 0 to 1.");
        meter.CreateObservableUpDownCounter("ember.prefix_cache.retained", () => models.All.Select(model => Tagged(model.Key, model.Value.Statistics.Retained)), "{sequence}", "Free KV cache slots keeping a finished sequence's entries for a later prompt (conversations retained), over the model's replicas.");
        meter.CreateObservableCounter("ember.speculation.drafted_tokens", () => models.All.Select(model => Tagged(model.Key, model.Value.Statistics.DraftedTokens)), "{token}", "Tokens n-gram speculation drafted and a step verified (SpeculativeTokens).");
        meter.CreateObservableCounter("ember.speculation.accepted_tokens", () => models.All.Select(model => Tagged(model.Key, model.Value.Statistics.AcceptedTokens)), "{token}", "Drafted tokens kept: each was the token the sequence picked.");
        meter.CreateObservableGauge("ember.prefix_cache.hit_ratio", () => models.All.Select(model => Tagged(model.Key, model.Value.Statistics.PrefixHitRate)), unit: null, "Share of the model's admissions since start whose prompt began with kept entries, 0 to 1 (prefix caching on).");
    }

    private static Measurement<T> Tagged<T>(string model, T value)
        where T : struct => new(value, new KeyValuePair<string, object?>(GenerationMetrics.ModelTag, model));

    private static IEnumerable<Measurement<double>> Utilization(ServedModels models) =>
        models.All.Select(model => new Measurement<double>(
            model.Value.Replicas.Sum(replica => replica.Load - replica.Queued) / (double)Math.Max(1, model.Value.Replicas.Sum(replica => replica.SequenceCap)),
            new KeyValuePair<string, object?>(GenerationMetrics.ModelTag, model.Key)));

    private static IEnumerable<Measurement<int>> Measure(ServedModels models, Func<ModelWorker, int> figure) =>
        models.All.Select(model => new Measurement<int>(
            model.Value.Replicas.Sum(figure),
            new KeyValuePair<string, object?>(GenerationMetrics.ModelTag, model.Key)));
}
