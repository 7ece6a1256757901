namespace Ember.Host.Batch;

/// <summary>What the worker finished, as it happens: items done and jobs finished (for metrics and logs, and for tests that wait on it).</summary>
/// <remarks>Thread-safe.</remarks>
public sealed class BatchProgress
{
    private readonly Lock _lock = new();
    private readonly List<(Func<string, bool> Finished, TaskCompletionSource Done)> _waiters = [];
    private readonly HashSet<string> _finished = new(StringComparer.Ordinal);
    private readonly List<(long Count, TaskCompletionSource Done)> _counters = [];

    /// <summary>Gets how many items this node completed.</summary>
    public long ItemsCompleted => Interlocked.Read(ref _items);

    private long _items;

    /// <summary>Waits until this node has completed at least <paramref name="count"/> items, or the token fires.</summary>
    public Task WhenItemsCompletedAsync(long count, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (ItemsCompleted >= count)
            {
                return Task.CompletedTask;
            }

            _counters.Add((count, done));
        }

        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Waits until <paramref name="requestId"/>'s job is finished on this node, or the token fires.</summary>
    public Task WhenFinishedAsync(string requestId, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_finished.Contains(requestId))
            {
                return Task.CompletedTask;
            }

            _waiters.Add((id => id == requestId, done));
        }

        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Records an item done; <paramref name="jobFinished"/> when it was its job's last.</summary>
    internal void Completed(string requestId, bool jobFinished)
    {
        var items = Interlocked.Increment(ref _items);
        lock (_lock)
        {
            foreach (var counter in _counters.Where(counter => counter.Count <= items).ToList())
            {
                counter.Done.TrySetResult();
                _counters.Remove(counter);
            }

            if (!jobFinished)
            {
                return;
            }

            // Kept for a late waiter; bounded, as the jobs are.
            if (_finished.Count >= 10_000)
            {
                _finished.Clear();
            }

            _finished.Add(requestId);
            foreach (var waiter in _waiters.Where(waiter => waiter.Finished(requestId)).ToList())
            {
                waiter.Done.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }
}
