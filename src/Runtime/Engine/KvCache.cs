using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Ember.Runtime.Engine;

/// <summary>
/// The shared key/value cache of a continuously batched decoder: per layer one block for keys and one for values,
/// each shaped [slots, kv heads, max length, head size] of the graph's cache element type (float32, float16, bfloat16, or
/// int8 for a quantized cache, whose scales the graph holds), in host or device
/// memory (<see cref="CacheMemory"/>). A sequence owns one slot while it decodes; its valid entries are
/// [0, length) of its slot (right-padded). A view over slots [0, n) is bound as both the past input and the present
/// output, so <c>GroupQueryAttention</c> writes the new entries in place.
/// </summary>
/// <remarks>Used by the owning scheduler thread only. Frees its blocks, and disposes its memory, on <see cref="Dispose"/>.</remarks>
internal sealed class KvCache : IDisposable
{
    private readonly nint[] _keys;
    private readonly nint[] _values;
    private readonly long _slotElements;
    private readonly int _elementBytes;
    private readonly CacheMemory _memory;

    /// <summary>Allocates zeroed blocks for every layer in <paramref name="memory"/>, which the cache then owns.</summary>
    /// <exception cref="OutOfMemoryException">A block could not be allocated; whatever was allocated is freed.</exception>
    public KvCache(int layers, int slots, int kvHeads, int maxLength, int headSize, TensorElementType elementType, CacheMemory memory)
    {
        Slots = slots;
        KvHeads = kvHeads;
        MaxLength = maxLength;
        HeadSize = headSize;
        ElementType = elementType;
        _memory = memory;
        _elementBytes = DecoderTypes.SizeOf(elementType);
        _slotElements = (long)kvHeads * maxLength * headSize;
        _keys = new nint[layers];
        _values = new nint[layers];
        var bytes = slots * _slotElements * _elementBytes;
        try
        {
            for (var layer = 0; layer < layers; layer++)
            {
                _keys[layer] = memory.Allocate(bytes);
                _values[layer] = memory.Allocate(bytes);
            }
        }
        catch (OutOfMemoryException)
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The bytes a cache of this shape holds: keys and values of every layer, <paramref name="elementBytes"/> each.</summary>
    public static long BytesFor(int layers, int slots, int kvHeads, int maxLength, int headSize, int elementBytes) =>
        2L * layers * slots * kvHeads * maxLength * headSize * elementBytes;

    /// <summary>Decoder layers (a block of keys and one of values each).</summary>
    public int Layers => _keys.Length;

    /// <summary>Sequences the cache holds at once.</summary>
    public int Slots { get; }

    /// <summary>Key/value heads.</summary>
    public int KvHeads { get; }

    /// <summary>Longest sequence a slot holds.</summary>
    public int MaxLength { get; }

    /// <summary>Width of one head.</summary>
    public int HeadSize { get; }

    /// <summary>The element type of keys and values.</summary>
    public TensorElementType ElementType { get; }

    /// <summary>Where the blocks live, for messages.</summary>
    public string Where => _memory.Where;

    /// <summary>Bytes held, every layer included.</summary>
    public long Bytes => BytesFor(_keys.Length, Slots, KvHeads, MaxLength, HeadSize, _elementBytes);

    /// <summary>A view of slots [first, first + count) of a layer's keys; the caller disposes it.</summary>
    public OrtValue Keys(int layer, int first, int count) => View(_keys[layer], first, count);

    /// <summary>
    /// Copies the entries of the first <paramref name="tokens"/> positions of slot <paramref name="from"/> into slot
    /// <paramref name="to"/>, every layer, keys and values (one copy per head: a head's positions are contiguous).
    /// </summary>
    public void CopyPrefix(int from, int to, int tokens)
    {
        if (from == to || tokens <= 0)
        {
            return;
        }

        var headBytes = (long)MaxLength * HeadSize * _elementBytes;
        var bytes = (long)Math.Min(tokens, MaxLength) * HeadSize * _elementBytes;
        for (var layer = 0; layer < _keys.Length; layer++)
        {
            foreach (var block in (ReadOnlySpan<nint>)[_keys[layer], _values[layer]])
            {
                for (var head = 0; head < KvHeads; head++)
                {
                    var offset = head * headBytes;
                    _memory.Copy(block + (nint)((to * _slotElements * _elementBytes) + offset), block + (nint)((from * _slotElements * _elementBytes) + offset), bytes);
                }
            }
        }
    }

    /// <summary>A view of slots [first, first + count) of a layer's values; the caller disposes it.</summary>
    public OrtValue Values(int layer, int first, int count) => View(_values[layer], first, count);

    /// <inheritdoc/>
    public void Dispose()
    {
        for (var layer = 0; layer < _keys.Length; layer++)
        {
            _memory.Free(_keys[layer]);
            _memory.Free(_values[layer]);
            _keys[layer] = 0;
            _values[layer] = 0;
        }

        _memory.Dispose();
    }

    private OrtValue View(nint block, int first, int count) => OrtValue.CreateTensorValueWithData(
        _memory.Info,
        ElementType,
        [count, KvHeads, MaxLength, HeadSize],
        block + (nint)(first * _slotElements * _elementBytes),
        count * _slotElements * _elementBytes);
}
