using Ember.Models.Lora;
using Ember.Runtime.Engine;
using Ember.Runtime.Generation;

namespace Ember.Runtime.Scheduling;

/// <summary>
/// How adapters reach a running replica: any thread posts the list its decoder is to serve, and the scheduler thread
/// hands it to the decoder between two steps (<see cref="ApplyPending"/>), then completes the poster's task.
/// </summary>
/// <remarks>
/// Thread-safe. The scheduler's cost per step when nothing is posted is one volatile read: no lock, no allocation. A
/// list posted before the last one was applied replaces it; both posters' tasks complete when the newer one is applied.
/// </remarks>
internal sealed class AdapterMailbox
{
    private readonly Lock _lock = new();
    private readonly List<TaskCompletionSource> _waiters = [];
    private IReadOnlyList<LoraAdapter>? _pending;
    private Exception? _closed;

    /// <summary>Posts the adapters the decoder is to serve; the task completes once it serves them (or faults with why not).</summary>
    public Task Post(IReadOnlyList<LoraAdapter> adapters)
    {
        ArgumentNullException.ThrowIfNull(adapters);
        var applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_closed is not null)
            {
                applied.SetException(_closed);
                return applied.Task;
            }

            _waiters.Add(applied);
            Volatile.Write(ref _pending, adapters);
        }

        return applied.Task;
    }

    /// <summary>Scheduler thread, between steps: gives the decoder the adapters posted since the last call, if any.</summary>
    public void ApplyPending(IDecoder decoder)
    {
        if (Volatile.Read(ref _pending) is null)
        {
            return;
        }

        IReadOnlyList<LoraAdapter> adapters;
        TaskCompletionSource[] waiters;
        lock (_lock)
        {
            adapters = _pending!;
            _pending = null;
            waiters = [.. _waiters];
            _waiters.Clear();
        }

        try
        {
            decoder.UseAdapters(adapters);
        }
        catch (Exception e) when (e is AiTextGenerationException or NotSupportedException or ArgumentException)
        {
            Array.ForEach(waiters, waiter => waiter.SetException(e));
            return;
        }

        Array.ForEach(waiters, waiter => waiter.SetResult());
    }

    /// <summary>Refuses every later post with <paramref name="error"/> and fails the one waiting: the loop has ended.</summary>
    public void Close(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        TaskCompletionSource[] waiters;
        lock (_lock)
        {
            _closed ??= error;
            _pending = null;
            waiters = [.. _waiters];
            _waiters.Clear();
        }

        Array.ForEach(waiters, waiter => waiter.SetException(error));
    }
}
