using Ember.Host.Diagnostics;

namespace Ember.Host.Batch;

/// <summary>
/// How long the batch worker waits after a failed store call: exponential from <see cref="FirstDelay"/>, doubling with
/// each failure in a row up to <see cref="MaxDelay"/>, and jittered (a delay <c>d</c> becomes a random time in
/// [<c>d</c>/2, <c>d</c>)), so that the nodes sharing a store that comes back do not all call it at once. The change of
/// state is logged once each way: the first failure (with its exception) and the first success after failures.
/// </summary>
/// <remarks>Thread-safe: one per worker, shared by its loops, since they share the store.</remarks>
public sealed class BatchStoreBackoff
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<double> _random;
    private long _failures;
    private long _failingSince;

    /// <summary>Creates the back-off.</summary>
    /// <param name="firstDelay">The delay after the first failure (before jitter).</param>
    /// <param name="maxDelay">The most any delay may be.</param>
    /// <param name="time">Measures how long an outage lasted.</param>
    /// <param name="logger">Takes the two state changes.</param>
    /// <param name="random">A source of uniform numbers in [0, 1) for the jitter; <see cref="Random.Shared"/> when <see langword="null"/>.</param>
    public BatchStoreBackoff(TimeSpan firstDelay, TimeSpan maxDelay, TimeProvider time, ILogger logger, Func<double>? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(firstDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDelay, firstDelay);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        FirstDelay = firstDelay;
        MaxDelay = maxDelay;
        _time = time;
        _logger = logger;
        _random = random ?? Random.Shared.NextDouble;
    }

    /// <summary>Gets the delay after the first failure, before jitter.</summary>
    public TimeSpan FirstDelay { get; }

    /// <summary>Gets the most any delay may be.</summary>
    public TimeSpan MaxDelay { get; }

    /// <summary>Gets how many store calls failed in a row (0 while the store answers).</summary>
    public long Failures
    {
        get
        {
            lock (_lock)
            {
                return _failures;
            }
        }
    }

    /// <summary>Records a failed store call; the first of a run is logged.</summary>
    /// <param name="exception">The failure.</param>
    /// <returns>How long to wait before the next call.</returns>
    public TimeSpan Failed(Exception exception)
    {
        long failures;
        lock (_lock)
        {
            failures = ++_failures;
            if (failures == 1)
            {
                _failingSince = _time.GetTimestamp();
            }
        }

        if (failures == 1)
        {
            HostLog.BatchStoreFailing(_logger, FirstDelay, MaxDelay, exception);
        }

        return DelayAfter(failures);
    }

    /// <summary>Records a store call that succeeded; the first after failures is logged.</summary>
    public void Succeeded()
    {
        long failures;
        TimeSpan outage;
        lock (_lock)
        {
            if (_failures == 0)
            {
                return;
            }

            failures = _failures;
            outage = _time.GetElapsedTime(_failingSince);
            _failures = 0;
        }

        HostLog.BatchStoreRecovered(_logger, failures, outage);
    }

    /// <summary>The delay after <paramref name="failures"/> failures in a row: <see cref="FirstDelay"/> × 2^(failures − 1), at most <see cref="MaxDelay"/>, jittered down by up to half.</summary>
    /// <param name="failures">Failures in a row, from 1.</param>
    /// <returns>The delay.</returns>
    public TimeSpan DelayAfter(long failures)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failures, 1);
        double ceiling = Math.Min(MaxDelay.Ticks, FirstDelay.Ticks * Math.Pow(2, Math.Min(failures - 1, 62)));
        return TimeSpan.FromTicks((long)(ceiling * (0.5 + (0.5 * _random()))));
    }
}
