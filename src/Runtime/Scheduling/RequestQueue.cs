using Ember.Runtime.Generation;

namespace Ember.Runtime.Scheduling;

/// <summary>
/// A replica's bounded FIFO of waiting requests. A request whose caller leaves (or whose timeout passes)
/// is removed at once, so it frees its place immediately rather than when the scheduler next looks.
/// </summary>
/// <remarks>
/// A bounded <c>Channel</c> cannot remove from its middle, so this is a linked list under a lock with a
/// semaphore that wakes the single reader, the scheduler thread. Thread-safe.
/// </remarks>
internal sealed class RequestQueue : IDisposable
{
    private readonly LinkedList<SequenceRequest> _items = new();

    // Batch items wait behind every interactive request: they are taken only while no interactive request waits.
    private readonly LinkedList<SequenceRequest> _batch = new();
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly int _bound;
    private AiTextGenerationException? _closed;

    /// <summary>Creates a queue that holds at most <paramref name="bound"/> requests.</summary>
    public RequestQueue(int bound) => _bound = bound;

    /// <summary>Requests waiting now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count + _batch.Count;
            }
        }
    }

    /// <summary>
    /// Adds a request unless the queue is full; an abandoned request is then removed by itself. Once the queue is
    /// closed a request is failed at once with the closing error (and counts as taken).
    /// </summary>
    public bool TryEnqueue(SequenceRequest request)
    {
        LinkedListNode<SequenceRequest> node;
        AiTextGenerationException? closed;
        lock (_lock)
        {
            closed = _closed;
            if (closed is null && _items.Count + _batch.Count >= _bound)
            {
                return false;
            }

            var queue = request.Priority == RequestPriority.Batch ? _batch : _items;
            node = closed is null ? queue.AddLast(request) : new LinkedListNode<SequenceRequest>(request);
        }

        if (closed is not null)
        {
            request.Fail(closed);
            return true;
        }

        request.Watch(() => Abandon(node));
        _signal.Release();
        return true;
    }

    /// <summary>Waits until a request may be waiting, or <see cref="Wake"/> is called.</summary>
    public void Wait(CancellationToken stopping) => _signal.Wait(stopping);

    /// <summary>Wakes the scheduler thread from <see cref="Wait"/> with no request: it has other work (adapters to serve).</summary>
    public void Wake() => _signal.Release();

    /// <summary>
    /// Takes, in order, up to <paramref name="max"/> requests that <paramref name="fits"/> accepts given those
    /// already taken; stops at the first that does not fit, which stays first in line.
    /// </summary>
    public List<SequenceRequest> TakeWave(int max, Func<IReadOnlyList<SequenceRequest>, SequenceRequest, bool> fits)
    {
        var wave = new List<SequenceRequest>();
        lock (_lock)
        {
            while (wave.Count < max && (_items.First ?? _batch.First) is { } first && (wave.Count == 0 || fits(wave, first.Value)))
            {
                first.List!.Remove(first);
                wave.Add(first.Value);
            }
        }

        return wave;
    }

    /// <summary>Refuses new requests and finishes every waiting one with <paramref name="error"/> (shutdown, or a dead scheduler).</summary>
    public void Close(AiTextGenerationException error)
    {
        List<SequenceRequest> all;
        lock (_lock)
        {
            _closed ??= error;
            all = [.. _items, .. _batch];
            _items.Clear();
            _batch.Clear();
        }

        foreach (var request in all)
        {
            request.Fail(error);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _signal.Dispose();

    private void Abandon(LinkedListNode<SequenceRequest> node)
    {
        lock (_lock)
        {
            if (node.List is null)
            {
                return;
            }

            node.List.Remove(node);
        }

        node.Value.FinishAbandoned();
    }
}
