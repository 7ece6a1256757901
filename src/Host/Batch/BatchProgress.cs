namespace Ember.Host.Batch;

/// <summary>What the worker finished, as it happens: items done and jobs finished (for metrics and logs, and for tests that wait on it).</summary>
/// <remarks>Thread-safe.</remarks>
public sealed class BatchProgress
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<TaskCompletionSource>> _jobWaiters = new(StringComparer.Ordinal);
    private readonly HashSet<string> _finished = new(StringComparer.Ordinal);
    private readonly List<(long Count, TaskCompletionSource Done)> _countWaiters = [];
    private long _items;

    /// <summary>Gets how many items this node completed.</summary>
    public long ItemsCompleted => Interlocked.Read(ref _items);

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

            _countWaiters.Add((count, done));
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

            if (!_jobWaiters.TryGetValue(requestId, out var waiters))
            {
                _jobWaiters[requestId] = waiters = [];
            }

            waiters.Add(done);
        }

        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Records an item done; <paramref name="jobFinished"/> when it was its job's last.</summary>
    internal void Completed(string requestId, bool jobFinished)
    {
        var items = Interlocked.Increment(ref _items);
        lock (_lock)
        {
            foreach (var waiter in _countWaiters.Where(waiter => waiter.Count <= items))
            {
                waiter.Done.TrySetResult();
            }

            _countWaiters.RemoveAll(waiter => waiter.Count <= items);
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
            if (_jobWaiters.Remove(requestId, out var waiters))
            {
                waiters.ForEach(waiter => waiter.TrySetResult());
            }
        }
    }
}
