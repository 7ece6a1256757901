using Ember.Models.Lora;
using Ember.Runtime.Engine;
using Ember.Runtime.Generation;

namespace Ember.Runtime.Scheduling;

/// <summary>
/// How adapters reach a running replica: any thread posts adapters for its decoder to serve after those it serves, and
/// the scheduler thread hands them to the decoder between two steps (<see cref="ApplyPending"/>), then completes the
/// poster's task.
/// </summary>
/// <remarks>
/// Thread-safe. The scheduler's cost per step when nothing is posted is one volatile read: no lock, no allocation.
/// Adapters posted before the last ones were applied are appended after them, in the order posted.
/// </remarks>
internal sealed class AdapterMailbox
{
    private readonly Lock _lock = new();
    private readonly List<TaskCompletionSource> _waiters = [];
    private List<LoraAdapter>? _pending;
    private Exception? _closed;

    /// <summary>Posts adapters for the decoder to serve after those it serves; the task completes once it does (or faults with why not).</summary>
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
            List<LoraAdapter> pending = [.. _pending ?? [], .. adapters];
            Volatile.Write(ref _pending, pending);
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

        List<LoraAdapter> adapters;
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
            decoder.AddAdapters(adapters);
        }
        catch (Exception e)
        {
            // The waiters were taken off the list: they learn of any failure here, or Close would find none to fail.
            Array.ForEach(waiters, waiter => waiter.SetException(e));
            if (e is AiTextGenerationException or NotSupportedException or ArgumentException)
            {
                return;
            }

            throw;
        }

        Array.ForEach(waiters, waiter => waiter.SetResult());
    }

    /// <summary>Refuses every later post with <paramref name="error"/> and fails those waiting: the loop has ended.</summary>
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
