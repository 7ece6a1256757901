using System.Buffers;

namespace Ember.Runtime.Engine;

/// <summary>
/// The min-heap of candidate merges of <see cref="SentencePieceBpeEncoder"/>: entries of (merge rank, symbol position),
/// popped lowest rank first and, on equal rank, lowest position first, as Hugging Face's <c>Merge</c> ordering does.
/// </summary>
/// <remarks>Its array is rented from <see cref="ArrayPool{T}.Shared"/> and returned on <see cref="Dispose"/>; used by one thread.</remarks>
internal sealed class MergeHeap : IDisposable
{
    private long[] _entries;
    private int _count;

    /// <summary>Creates an empty heap with room for <paramref name="capacity"/> entries before it grows.</summary>
    public MergeHeap(int capacity)
    {
        _entries = ArrayPool<long>.Shared.Rent(Math.Max(capacity, 16));
    }

    /// <summary>Adds the merge of rank <paramref name="rank"/> at <paramref name="position"/>.</summary>
    public void Push(int rank, int position)
    {
        if (_count == _entries.Length)
        {
            var larger = ArrayPool<long>.Shared.Rent(_entries.Length * 2);
            _entries.AsSpan(0, _count).CopyTo(larger);
            ArrayPool<long>.Shared.Return(_entries);
            _entries = larger;
        }

        var entry = ((long)rank << 32) | (uint)position;
        var index = _count++;
        while (index > 0)
        {
            var parent = (index - 1) >> 1;
            if (_entries[parent] <= entry)
            {
                break;
            }

            _entries[index] = _entries[parent];
            index = parent;
        }

        _entries[index] = entry;
    }

    /// <summary>Removes the entry of the lowest rank (then the lowest position); <see langword="false"/> when empty.</summary>
    public bool TryPop(out int rank, out int position)
    {
        if (_count == 0)
        {
            rank = 0;
            position = 0;
            return false;
        }

        var top = _entries[0];
        rank = (int)(top >> 32);
        position = (int)(uint)top;
        var last = _entries[--_count];
        var index = 0;
        while (true)
        {
            var child = (2 * index) + 1;
            if (child >= _count)
            {
                break;
            }

            if (child + 1 < _count && _entries[child + 1] < _entries[child])
            {
                child++;
            }

            if (last <= _entries[child])
            {
                break;
            }

            _entries[index] = _entries[child];
            index = child;
        }

        if (_count > 0)
        {
            _entries[index] = last;
        }

        return true;
    }

    /// <summary>Removes every entry.</summary>
    public void Clear() => _count = 0;

    /// <inheritdoc/>
    public void Dispose()
    {
        ArrayPool<long>.Shared.Return(_entries);
        _entries = [];
        _count = 0;
    }
}
