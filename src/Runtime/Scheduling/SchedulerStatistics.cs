using System.Collections.Concurrent;

namespace Ember.Runtime.Scheduling;

/// <summary>
/// What a model's schedulers did: batches run (a wave, or a decode step of the continuous scheduler), sequences
/// admitted, and how many sequences each batch held — the figures that show batching at work and the cap kept.
/// </summary>
/// <remarks>Thread-safe; written by scheduler threads, read by anyone.</remarks>
public sealed class SchedulerStatistics
{
    private readonly ConcurrentDictionary<int, long> _batchSizes = new();
    private long _batches;
    private long _sequences;
    private int _largestBatch;
    private long _prefills;
    private int _largestPrefill;

    /// <summary>Batches run so far: waves, or continuous decode steps.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Sequences admitted so far.</summary>
    public long Sequences => Interlocked.Read(ref _sequences);

    /// <summary>The most sequences any one batch decoded at once.</summary>
    public int LargestBatch => Volatile.Read(ref _largestBatch);

    /// <summary>Prefill runs of the continuous scheduler (each a chunk of one prompt).</summary>
    public long Prefills => Interlocked.Read(ref _prefills);

    /// <summary>The most prompt tokens one prefill run held.</summary>
    public int LargestPrefill => Volatile.Read(ref _largestPrefill);

    /// <summary>How many batches had each size.</summary>
    public IReadOnlyDictionary<int, long> BatchSizes => new SortedDictionary<int, long>(_batchSizes);

    /// <summary>Forgets everything recorded so far (after the start-up warm-up, which is not traffic).</summary>
    internal void Reset()
    {
        _batchSizes.Clear();
        Interlocked.Exchange(ref _batches, 0);
        Interlocked.Exchange(ref _sequences, 0);
        Volatile.Write(ref _largestBatch, 0);
        Interlocked.Exchange(ref _prefills, 0);
        Volatile.Write(ref _largestPrefill, 0);
    }

    /// <summary>Records a prefill run of <paramref name="tokens"/> prompt tokens.</summary>
    internal void RecordPrefill(int tokens)
    {
        Interlocked.Increment(ref _prefills);
        RaiseTo(ref _largestPrefill, tokens);
    }

    /// <summary>Records sequences taken into service.</summary>
    internal void RecordAdmitted(int count) => Interlocked.Add(ref _sequences, count);

    /// <summary>Records a batch of <paramref name="size"/> sequences.</summary>
    internal void RecordBatch(int size)
    {
        Interlocked.Increment(ref _batches);
        _batchSizes.AddOrUpdate(size, 1, (_, count) => count + 1);
        RaiseTo(ref _largestBatch, size);
    }

    private static void RaiseTo(ref int largest, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref largest)) && Interlocked.CompareExchange(ref largest, value, seen) != seen)
        {
        }
    }
}
