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
    private long _prefillTokens;
    private long _prefixHits;
    private long _prefixMisses;
    private long _cachedTokens;
    private long _iterations;
    private long _iterationTicks;
    private long _decodeRunTicks;
    private long _prefillRunTicks;
    private int _largestPrefill;
    private int _retained;
    private long _drafted;
    private long _accepted;

    /// <summary>Batches run so far: waves, or continuous decode steps.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Sequences admitted so far.</summary>
    public long Sequences => Interlocked.Read(ref _sequences);

    /// <summary>The most sequences any one batch decoded at once.</summary>
    public int LargestBatch => Volatile.Read(ref _largestBatch);

    /// <summary>Prompt chunks the continuous scheduler ran (with separate steps each is a call of its own).</summary>
    public long Prefills => Interlocked.Read(ref _prefills);

    /// <summary>The most prompt tokens one chunk held.</summary>
    public int LargestPrefill => Volatile.Read(ref _largestPrefill);

    /// <summary>How many batches had each size.</summary>
    public IReadOnlyDictionary<int, long> BatchSizes => new SortedDictionary<int, long>(_batchSizes);

    /// <summary>Gets the admissions that found a slot holding a prefix of their prompt (prefix caching on).</summary>
    public long PrefixHits => Interlocked.Read(ref _prefixHits);

    /// <summary>Gets the admissions that found none (prefix caching on).</summary>
    public long PrefixMisses => Interlocked.Read(ref _prefixMisses);

    /// <summary>Gets the prompt tokens whose entries were reused instead of prefilled.</summary>
    public long CachedTokens => Interlocked.Read(ref _cachedTokens);

    /// <summary>Gets the share of admissions that found a prefix of their prompt (0 before any, or with prefix caching off).</summary>
    public double PrefixHitRate
    {
        get
        {
            var hits = PrefixHits;
            var lookups = hits + PrefixMisses;
            return lookups == 0 ? 0 : (double)hits / lookups;
        }
    }

    /// <summary>Gets the tokens speculation drafted and verified (n-gram speculation, <c>SpeculativeTokens</c>).</summary>
    public long DraftedTokens => Interlocked.Read(ref _drafted);

    /// <summary>Gets the drafted tokens the verification kept: each was the token the sequence picked.</summary>
    public long AcceptedTokens => Interlocked.Read(ref _accepted);

    /// <summary>Gets the share of drafted tokens kept (0 before any).</summary>
    public double AcceptanceRate
    {
        get
        {
            var drafted = DraftedTokens;
            return drafted == 0 ? 0 : (double)AcceptedTokens / drafted;
        }
    }

    /// <summary>Gets the free slots that keep a finished sequence's entries for a later prompt (conversations retained), over the replicas.</summary>
    public int Retained => Volatile.Read(ref _retained);

    /// <summary>
    /// Where the continuous scheduler's thread spent its working iterations so far: inside ONNX Runtime's <c>Run</c>
    /// (decode and prefill) and in Ember's own work around it (admission, inputs, bindings, sampling, detokenizing,
    /// publishing). Waves run inside ORT GenAI and report none.
    /// </summary>
    /// <returns>The totals; subtract two snapshots for a window.</returns>
    public StepSplit Split() => new(
        Interlocked.Read(ref _iterations),
        Interlocked.Read(ref _batches),
        Interlocked.Read(ref _prefillTokens),
        TimeSpan.FromTicks(Ticks(Interlocked.Read(ref _iterationTicks))),
        TimeSpan.FromTicks(Ticks(Interlocked.Read(ref _decodeRunTicks))),
        TimeSpan.FromTicks(Ticks(Interlocked.Read(ref _prefillRunTicks))));

    /// <summary>Forgets everything recorded so far (after the start-up warm-up, which is not traffic).</summary>
    internal void Reset()
    {
        Interlocked.Exchange(ref _prefillTokens, 0);
        Interlocked.Exchange(ref _prefixHits, 0);
        Interlocked.Exchange(ref _prefixMisses, 0);
        Interlocked.Exchange(ref _cachedTokens, 0);
        Interlocked.Exchange(ref _iterations, 0);
        Interlocked.Exchange(ref _iterationTicks, 0);
        Interlocked.Exchange(ref _decodeRunTicks, 0);
        Interlocked.Exchange(ref _prefillRunTicks, 0);
        Interlocked.Exchange(ref _drafted, 0);
        Interlocked.Exchange(ref _accepted, 0);
        _batchSizes.Clear();
        Interlocked.Exchange(ref _batches, 0);
        Interlocked.Exchange(ref _sequences, 0);
        Volatile.Write(ref _largestBatch, 0);
        Interlocked.Exchange(ref _prefills, 0);
        Volatile.Write(ref _largestPrefill, 0);
    }

    /// <summary>Records one working iteration of the continuous scheduler, in <see cref="System.Diagnostics.Stopwatch"/> ticks.</summary>
    internal void RecordIteration(long iterationTicks, long decodeRunTicks, long prefillRunTicks)
    {
        Interlocked.Increment(ref _iterations);
        Interlocked.Add(ref _iterationTicks, iterationTicks);
        Interlocked.Add(ref _decodeRunTicks, decodeRunTicks);
        Interlocked.Add(ref _prefillRunTicks, prefillRunTicks);
    }

    /// <summary>Records an admission with prefix caching on that reused <paramref name="cachedTokens"/> prompt tokens (0: a miss).</summary>
    internal void RecordPrefixLookup(int cachedTokens)
    {
        Interlocked.Increment(ref cachedTokens > 0 ? ref _prefixHits : ref _prefixMisses);
        Interlocked.Add(ref _cachedTokens, cachedTokens);
    }

    /// <summary>Records a change of <paramref name="delta"/> in the histories a replica keeps in its free slots.</summary>
    internal void RecordRetained(int delta) => Interlocked.Add(ref _retained, delta);

    /// <summary>Records a prompt chunk of <paramref name="tokens"/> tokens.</summary>
    internal void RecordPrefill(int tokens)
    {
        Interlocked.Increment(ref _prefills);
        Interlocked.Add(ref _prefillTokens, tokens);
        RaiseTo(ref _largestPrefill, tokens);
    }

    /// <summary>Records <paramref name="tokens"/> drafted tokens a step verified.</summary>
    internal void RecordDrafted(int tokens) => Interlocked.Add(ref _drafted, tokens);

    /// <summary>Records <paramref name="tokens"/> drafted tokens a verification kept.</summary>
    internal void RecordAccepted(int tokens) => Interlocked.Add(ref _accepted, tokens);

    /// <summary>Records sequences taken into service.</summary>
    internal void RecordAdmitted(int count) => Interlocked.Add(ref _sequences, count);

    /// <summary>Records a batch of <paramref name="size"/> sequences.</summary>
    internal void RecordBatch(int size)
    {
        Interlocked.Increment(ref _batches);
        _batchSizes.AddOrUpdate(size, 1, (_, count) => count + 1);
        RaiseTo(ref _largestBatch, size);
    }

    private static long Ticks(long stopwatchTicks) => (long)(stopwatchTicks * ((double)TimeSpan.TicksPerSecond / System.Diagnostics.Stopwatch.Frequency));

    private static void RaiseTo(ref int largest, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref largest)) && Interlocked.CompareExchange(ref largest, value, seen) != seen)
        {
        }
    }
}
