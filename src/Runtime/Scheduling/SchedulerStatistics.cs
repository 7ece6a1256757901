using System.Collections.Concurrent;

namespace Ember.Runtime.Scheduling;

/// <summary>
/// What a model's schedulers did: waves run, sequences decoded, and how many sequences each wave held —
/// the figures that show batching at work and the sequence cap kept.
/// </summary>
/// <remarks>Thread-safe; written by scheduler threads, read by anyone.</remarks>
public sealed class SchedulerStatistics
{
    private readonly ConcurrentDictionary<int, long> _batchSizes = new();
    private long _waves;
    private long _sequences;
    private int _largestBatch;

    /// <summary>Waves run so far.</summary>
    public long Waves => Interlocked.Read(ref _waves);

    /// <summary>Sequences admitted into waves so far.</summary>
    public long Sequences => Interlocked.Read(ref _sequences);

    /// <summary>The most sequences any one wave decoded at once.</summary>
    public int LargestBatch => Volatile.Read(ref _largestBatch);

    /// <summary>How many waves had each batch size.</summary>
    public IReadOnlyDictionary<int, long> BatchSizes => new SortedDictionary<int, long>(_batchSizes);

    /// <summary>Records a wave of <paramref name="size"/> sequences.</summary>
    internal void RecordWave(int size)
    {
        Interlocked.Increment(ref _waves);
        Interlocked.Add(ref _sequences, size);
        _batchSizes.AddOrUpdate(size, 1, (_, count) => count + 1);
        int seen;
        while (size > (seen = Volatile.Read(ref _largestBatch)) && Interlocked.CompareExchange(ref _largestBatch, size, seen) != seen)
        {
        }
    }
}
