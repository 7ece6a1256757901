using Ember.Host.Batch;

namespace Ember.Host.Tests.Infrastructure;

/// <summary>
/// A store around another that counts the calls made to it and the item rows its reads return, records the time each
/// lease call asked for, and fails the calls <see cref="Failing"/> names with <see cref="BatchStoreException"/>.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class CountingBatchStore(IBatchStore inner) : IBatchStore
{
    private readonly Lock _lock = new();
    private readonly List<(Func<CountingBatchStore, bool> Condition, TaskCompletionSource Done)> _waiters = [];
    private readonly List<DateTimeOffset> _leaseTimes = [];
    private long _finds;
    private long _itemRowsRead;
    private long _leases;
    private long _leasesTaken;
    private long _renews;
    private long _completes;
    private long _retries;

    /// <summary>Gets or sets which calls fail, by method name (<c>LeaseAsync</c>, <c>RenewAsync</c>, …); none when null.</summary>
    public Func<string, bool>? Failing { get; set; }

    public long Finds => Interlocked.Read(ref _finds);

    public long ItemRowsRead => Interlocked.Read(ref _itemRowsRead);

    public long Leases => Interlocked.Read(ref _leases);

    public long LeasesTaken => Interlocked.Read(ref _leasesTaken);

    public long Renews => Interlocked.Read(ref _renews);

    public long Completes => Interlocked.Read(ref _completes);

    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Gets the times the lease calls asked at, failed ones included.</summary>
    public IReadOnlyList<DateTimeOffset> LeaseTimes
    {
        get
        {
            lock (_lock)
            {
                return [.. _leaseTimes];
            }
        }
    }

    /// <summary>Completes once <paramref name="condition"/> holds after a call ends (or at once).</summary>
    public Task WhenAsync(Func<CountingBatchStore, bool> condition)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (condition(this))
            {
                return Task.CompletedTask;
            }

            _waiters.Add((condition, done));
        }

        return done.Task;
    }

    public Task MigrateAsync(CancellationToken cancellationToken) => inner.MigrateAsync(cancellationToken);

    public Task SubmitAsync(BatchJob job, IReadOnlyList<BatchItem> items, CancellationToken cancellationToken) => inner.SubmitAsync(job, items, cancellationToken);

    public async Task<BatchJobState?> FindAsync(string requestId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _finds);
        BatchJobState? state = await inner.FindAsync(requestId, cancellationToken);
        Interlocked.Add(ref _itemRowsRead, state?.Items.Count ?? 0);
        Signal();
        return state;
    }

    public async Task<BatchLease?> LeaseAsync(string node, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _leaseTimes.Add(now);
        }

        try
        {
            ThrowIfFailing(nameof(LeaseAsync));
            BatchLease? taken = await inner.LeaseAsync(node, now, lease, cancellationToken);
            if (taken is not null)
            {
                Interlocked.Increment(ref _leasesTaken);
            }

            return taken;
        }
        finally
        {
            Interlocked.Increment(ref _leases);
            Signal();
        }
    }

    public async Task<IReadOnlySet<string>> RenewAsync(IReadOnlyCollection<BatchLease> leases, DateTimeOffset until, CancellationToken cancellationToken)
    {
        try
        {
            ThrowIfFailing(nameof(RenewAsync));
            return await inner.RenewAsync(leases, until, cancellationToken);
        }
        finally
        {
            Interlocked.Increment(ref _renews);
            Signal();
        }
    }

    public async Task<BatchLeaseEnd> CompleteAsync(BatchLease lease, BatchItemResult result, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            ThrowIfFailing(nameof(CompleteAsync));
            return await inner.CompleteAsync(lease, result, now, cancellationToken);
        }
        finally
        {
            Interlocked.Increment(ref _completes);
            Signal();
        }
    }

    public async Task<BatchLeaseEnd> RetryAsync(BatchLease lease, BatchItemResult failure, int maxAttempts, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            ThrowIfFailing(nameof(RetryAsync));
            return await inner.RetryAsync(lease, failure, maxAttempts, now, cancellationToken);
        }
        finally
        {
            Interlocked.Increment(ref _retries);
            Signal();
        }
    }

    public Task<int> DeleteFinishedAsync(DateTimeOffset finishedBefore, CancellationToken cancellationToken)
    {
        ThrowIfFailing(nameof(DeleteFinishedAsync));
        return inner.DeleteFinishedAsync(finishedBefore, cancellationToken);
    }

    public Task<BatchCounts> CountAsync(CancellationToken cancellationToken)
    {
        ThrowIfFailing(nameof(CountAsync));
        return inner.CountAsync(cancellationToken);
    }

    private void ThrowIfFailing(string method)
    {
        if (Failing?.Invoke(method) == true)
        {
            throw new BatchStoreException($"{method}: the store is down (test)");
        }
    }

    private void Signal()
    {
        List<TaskCompletionSource> done = [];
        lock (_lock)
        {
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Condition(this))
                {
                    done.Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }
        }

        done.ForEach(waiter => waiter.TrySetResult());
    }
}
