using System.Diagnostics.Metrics;

namespace Ember.Host.Batch;

/// <summary>
/// The batch API's instruments on the <see cref="MeterName"/> meter: items by status and open jobs (as the store last
/// counted them), and each item's run time.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class BatchMeters
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Ember.Batch";

    private readonly Histogram<double> _itemDuration;
    private BatchCounts _counts = new(0, 0, 0, 0);

    /// <summary>Creates the instruments.</summary>
    public BatchMeters(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        meter.CreateObservableUpDownCounter("ember.batch.items", Items, "{item}", "Batch items by status (queued, running, done), over every job the store holds.");
        meter.CreateObservableUpDownCounter("ember.batch.jobs.open", () => Volatile.Read(ref _counts).OpenJobs, "{job}", "Batch jobs not finished.");
        _itemDuration = meter.CreateHistogram<double>("ember.batch.item.duration", "s", "From a node leasing a batch item to its result, by outcome (success, failure).");
    }

    /// <summary>Takes the store's latest counts.</summary>
    internal void Counted(BatchCounts counts) => Volatile.Write(ref _counts, counts);

    /// <summary>Records an item's run.</summary>
    internal void ItemRan(double seconds, bool success) =>
        _itemDuration.Record(seconds, new KeyValuePair<string, object?>("ember.batch.outcome", success ? "success" : "failure"));

    private IEnumerable<Measurement<long>> Items()
    {
        var counts = Volatile.Read(ref _counts);
        yield return new(counts.Queued, new KeyValuePair<string, object?>("ember.batch.status", "queued"));
        yield return new(counts.Running, new KeyValuePair<string, object?>("ember.batch.status", "running"));
        yield return new(counts.Done, new KeyValuePair<string, object?>("ember.batch.status", "done"));
    }
}
