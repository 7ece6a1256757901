using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Ember.Runtime.Engine;

/// <summary>
/// The shared key/value cache of a continuously batched decoder: per layer one native block for keys and one
/// for values, each shaped [slots, kv heads, max length, head size]. A sequence owns one slot while it decodes;
/// its valid entries are [0, length) of its slot (right-padded). A view over slots [0, n) is bound as both the
/// past input and the present output, so <c>GroupQueryAttention</c> writes the new entries in place.
/// </summary>
/// <remarks>Used by the owning scheduler thread only. Frees its memory on <see cref="Dispose"/>.</remarks>
internal sealed unsafe class KvCache : IDisposable
{
    private readonly nint[] _keys;
    private readonly nint[] _values;
    private readonly long _slotElements;

    /// <summary>Allocates zeroed blocks for every layer.</summary>
    public KvCache(int layers, int slots, int kvHeads, int maxLength, int headSize)
    {
        Slots = slots;
        KvHeads = kvHeads;
        MaxLength = maxLength;
        HeadSize = headSize;
        _slotElements = (long)kvHeads * maxLength * headSize;
        _keys = new nint[layers];
        _values = new nint[layers];
        var bytes = (nuint)(slots * _slotElements * sizeof(float));
        try
        {
            for (var layer = 0; layer < layers; layer++)
            {
                _keys[layer] = (nint)NativeMemory.AllocZeroed(bytes);
                _values[layer] = (nint)NativeMemory.AllocZeroed(bytes);
            }
        }
        catch (OutOfMemoryException)
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The bytes a cache of this shape holds: keys and values of every layer.</summary>
    public static long BytesFor(int layers, int slots, int kvHeads, int maxLength, int headSize) =>
        2L * layers * slots * kvHeads * maxLength * headSize * sizeof(float);

    /// <summary>Sequences the cache holds at once.</summary>
    public int Slots { get; }

    /// <summary>Key/value heads.</summary>
    public int KvHeads { get; }

    /// <summary>Longest sequence a slot holds.</summary>
    public int MaxLength { get; }

    /// <summary>Width of one head.</summary>
    public int HeadSize { get; }

    /// <summary>Bytes held, every layer included.</summary>
    public long Bytes => BytesFor(_keys.Length, Slots, KvHeads, MaxLength, HeadSize);

    /// <summary>A view of slots [first, first + count) of a layer's keys; the caller disposes it.</summary>
    public OrtValue Keys(int layer, int first, int count) => View(_keys[layer], first, count);

    /// <summary>A view of slots [first, first + count) of a layer's values; the caller disposes it.</summary>
    public OrtValue Values(int layer, int first, int count) => View(_values[layer], first, count);

    /// <inheritdoc/>
    public void Dispose()
    {
        for (var layer = 0; layer < _keys.Length; layer++)
        {
            NativeMemory.Free((void*)_keys[layer]);
            NativeMemory.Free((void*)_values[layer]);
            _keys[layer] = 0;
            _values[layer] = 0;
        }
    }

    private OrtValue View(nint block, int first, int count) => OrtValue.CreateTensorValueWithData(
        OrtMemoryInfo.DefaultInstance,
        TensorElementType.Float,
        [count, KvHeads, MaxLength, HeadSize],
        block + (nint)(first * _slotElements * sizeof(float)),
        count * _slotElements * sizeof(float));
}
