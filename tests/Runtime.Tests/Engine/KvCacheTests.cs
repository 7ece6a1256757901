using Ember.Runtime.Engine;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Ember.Runtime.Tests.Engine;

/// <summary>
/// The continuous scheduler's KV cache in host memory, without a model: its blocks' sizes, the shapes and offsets of
/// its slot views, and who frees what.
/// </summary>
public sealed class KvCacheTests
{
    private const int Layers = 3;
    private const int Slots = 4;
    private const int KvHeads = 2;
    private const int MaxLength = 16;
    private const int HeadSize = 8;

    /// <summary>Elements of one slot: kv heads × max length × head size.</summary>
    private const int SlotElements = KvHeads * MaxLength * HeadSize;

    private static KvCache Float32Cache(CacheMemory? memory = null) =>
        new(Layers, Slots, KvHeads, MaxLength, HeadSize, TensorElementType.Float, memory ?? new HostCacheMemory());

    [Theory]
    [InlineData(4, 32_768L)]
    [InlineData(2, 16_384L)]
    [InlineData(8, 65_536L)]
    public void BytesFor_Shape_IsKeysAndValuesOfEveryLayer(int elementBytes, long expected)
    {
        // 2 × 4 layers × 4 slots × 2 heads × 16 positions × 8 wide = 8192 elements… × the element's bytes.
        Assert.Equal(expected, KvCache.BytesFor(4, Slots, KvHeads, MaxLength, HeadSize, elementBytes));
    }

    [Fact]
    public void BytesFor_LargeShape_DoesNotOverflow()
    {
        Assert.Equal(2L * 32 * 64 * 8 * 32_768 * 128 * 2, KvCache.BytesFor(32, 64, 8, 32_768, 128, 2));
    }

    [Theory]
    [InlineData(TensorElementType.Float, 24_576L)]
    [InlineData(TensorElementType.Float16, 12_288L)]
    [InlineData(TensorElementType.BFloat16, 12_288L)]
    [InlineData(TensorElementType.Int8, 6_144L)]
    public void Constructor_ElementType_ReportsItsShapeAndBytes(TensorElementType type, long bytes)
    {
        using var cache = new KvCache(Layers, Slots, KvHeads, MaxLength, HeadSize, type, new HostCacheMemory());

        Assert.Equal(Slots, cache.Slots);
        Assert.Equal(KvHeads, cache.KvHeads);
        Assert.Equal(MaxLength, cache.MaxLength);
        Assert.Equal(HeadSize, cache.HeadSize);
        Assert.Equal(type, cache.ElementType);
        Assert.Equal(bytes, cache.Bytes);
        Assert.Equal("host memory", cache.Where);
    }

    [Fact]
    public void Constructor_EveryLayer_AllocatesOneKeyAndOneValueBlockOfTheSlotsBytes()
    {
        using var memory = new RecordingMemory();

        using (Float32Cache(memory))
        {
            Assert.Equal(Enumerable.Repeat((long)Slots * SlotElements * sizeof(float), 2 * Layers), memory.Requested);
            Assert.Equal(2 * Layers, memory.Allocated.Distinct().Count());
        }
    }

    [Fact]
    public void Constructor_UnsupportedElementType_ThrowsBeforeAllocating()
    {
        using var memory = new RecordingMemory();

        var error = Assert.Throws<NotSupportedException>(() => new KvCache(Layers, Slots, KvHeads, MaxLength, HeadSize, TensorElementType.UInt8, memory));

        Assert.Equal("Element type UInt8 is not one a decoder uses.", error.Message);
        Assert.Empty(memory.Requested);
    }

    [Fact]
    public void Constructor_AllocationFails_FreesWhatWasAllocatedDisposesTheMemoryAndRethrows()
    {
        using var memory = new RecordingMemory { FailAt = 3 };

        Assert.Throws<InsufficientMemoryException>(() => Float32Cache(memory));

        Assert.Equal(2, memory.Allocated.Count);
        Assert.Equal(memory.Allocated.Order(), memory.Freed.Where(block => block != 0).Order());
        Assert.Equal(1, memory.Disposals);
    }

    [Fact]
    public void Dispose_FreesEveryBlockOnceAndDisposesTheMemory()
    {
        using var memory = new RecordingMemory();
        var cache = Float32Cache(memory);

        cache.Dispose();

        Assert.Equal(memory.Allocated.Order(), memory.Freed.Order());
        Assert.Equal(1, memory.Disposals);
    }

    [Theory]
    [InlineData(0, 0, Slots)]
    [InlineData(2, 1, 2)]
    [InlineData(1, 3, 1)]
    public void Keys_SlotRange_IsAViewShapedCountHeadsLengthHeadSize(int layer, int first, int count)
    {
        using var cache = Float32Cache();

        using var keys = cache.Keys(layer, first, count);
        using var values = cache.Values(layer, first, count);

        foreach (var view in new[] { keys, values })
        {
            var info = view.GetTensorTypeAndShape();
            Assert.Equal(new long[] { count, KvHeads, MaxLength, HeadSize }, info.Shape);
            Assert.Equal(TensorElementType.Float, info.ElementDataType);
            Assert.Equal((long)count * SlotElements, info.ElementCount);
        }
    }

    [Fact]
    public void Keys_Float16_ViewsTwoBytesAnElement()
    {
        using var cache = new KvCache(Layers, Slots, KvHeads, MaxLength, HeadSize, TensorElementType.Float16, new HostCacheMemory());

        using var keys = cache.Keys(0, 1, 2);

        var info = keys.GetTensorTypeAndShape();
        Assert.Equal(TensorElementType.Float16, info.ElementDataType);
        Assert.Equal(2 * SlotElements * 2, keys.GetTensorMutableRawData().Length);
    }

    [Fact]
    public void Keys_NewCache_AreZeroed()
    {
        using var cache = Float32Cache();

        for (var layer = 0; layer < Layers; layer++)
        {
            using var keys = cache.Keys(layer, 0, Slots);
            using var values = cache.Values(layer, 0, Slots);
            Assert.All(keys.GetTensorDataAsSpan<float>().ToArray(), value => Assert.Equal(0f, value));
            Assert.All(values.GetTensorDataAsSpan<float>().ToArray(), value => Assert.Equal(0f, value));
        }
    }

    [Fact]
    public void Keys_ViewFromASlot_StartsAtThatSlotsFirstElementOfTheWholeBlock()
    {
        using var cache = Float32Cache();
        using var whole = cache.Keys(1, 0, Slots);
        using var slots2And3 = cache.Keys(1, 2, 2);
        var all = whole.GetTensorMutableDataAsSpan<float>();

        all[(2 * SlotElements) - 1] = 1.5f;
        all[2 * SlotElements] = 2.5f;
        all[(4 * SlotElements) - 1] = 3.5f;

        var part = slots2And3.GetTensorDataAsSpan<float>();
        Assert.Equal(2 * SlotElements, part.Length);
        Assert.Equal(2.5f, part[0]);
        Assert.Equal(3.5f, part[^1]);
    }

    [Fact]
    public void CopyPrefix_FirstPositions_CopiedPerHeadEveryLayerKeysAndValuesAndNothingElse()
    {
        using var cache = Float32Cache();
        for (var layer = 0; layer < Layers; layer++)
        {
            using var keys = cache.Keys(layer, 0, Slots);
            using var values = cache.Values(layer, 0, Slots);
            var k = keys.GetTensorMutableDataAsSpan<float>();
            var v = values.GetTensorMutableDataAsSpan<float>();
            for (var i = 0; i < SlotElements; i++)
            {
                // Slot 1's element i, a distinct value per layer, keys and values apart.
                k[SlotElements + i] = 1 + i + (1000 * layer);
                v[SlotElements + i] = -(1 + i + (1000 * layer));
            }
        }

        cache.CopyPrefix(from: 1, to: 3, tokens: 5);

        for (var layer = 0; layer < Layers; layer++)
        {
            using var keys = cache.Keys(layer, 3, 1);
            using var values = cache.Values(layer, 3, 1);
            var k = keys.GetTensorDataAsSpan<float>();
            var v = values.GetTensorDataAsSpan<float>();
            for (var head = 0; head < KvHeads; head++)
            {
                for (var position = 0; position < MaxLength; position++)
                {
                    for (var d = 0; d < HeadSize; d++)
                    {
                        var i = (((head * MaxLength) + position) * HeadSize) + d;
                        float expected = position < 5 ? 1 + i + (1000 * layer) : 0;
                        Assert.Equal(expected, k[i]);
                        Assert.Equal(-expected, v[i]);
                    }
                }
            }
        }
    }

    [Fact]
    public void CopyPrefix_SameSlotOrNoTokens_CopiesNothing()
    {
        var memory = new RecordingMemory();
        using var cache = Float32Cache(memory);

        cache.CopyPrefix(2, 2, 5);
        cache.CopyPrefix(1, 2, 0);

        Assert.Equal(0, memory.Copies);
    }

    [Fact]
    public void Values_WrittenThroughASlotView_AreSeenInTheWholeBlockAtTheSlotsOffset()
    {
        using var cache = Float32Cache();
        using var slot1 = cache.Values(0, 1, 1);
        using var whole = cache.Values(0, 0, Slots);

        slot1.GetTensorMutableDataAsSpan<float>()[5] = -4f;

        var all = whole.GetTensorDataAsSpan<float>().ToArray();
        Assert.Equal(-4f, all[SlotElements + 5]);
        Assert.Equal(1, all.Count(value => value != 0));
    }

    [Fact]
    public void Keys_Written_LeaveTheValuesAndOtherLayersAlone()
    {
        using var cache = Float32Cache();
        using (var keys = cache.Keys(1, 0, Slots))
        {
            keys.GetTensorMutableDataAsSpan<float>().Fill(1f);
        }

        for (var layer = 0; layer < Layers; layer++)
        {
            using var keys = cache.Keys(layer, 0, Slots);
            using var values = cache.Values(layer, 0, Slots);
            Assert.All(keys.GetTensorDataAsSpan<float>().ToArray(), value => Assert.Equal(layer == 1 ? 1f : 0f, value));
            Assert.All(values.GetTensorDataAsSpan<float>().ToArray(), value => Assert.Equal(0f, value));
        }
    }

    /// <summary>Host memory that records what it was asked for, and can fail one allocation (1-based) the way <see cref="CudaCacheMemory"/> does.</summary>
    private sealed class RecordingMemory : CacheMemory
    {
        private readonly HostCacheMemory _host = new();

        public int? FailAt { get; init; }

        public List<long> Requested { get; } = [];

        public List<nint> Allocated { get; } = [];

        public List<nint> Freed { get; } = [];

        public int Disposals { get; private set; }

        public int Copies { get; private set; }

        public override OrtMemoryInfo Info => _host.Info;

        public override string Where => "recording host memory";

        public override void Copy(nint destination, nint source, long bytes)
        {
            Copies++;
            _host.Copy(destination, source, bytes);
        }

        public override nint Allocate(long bytes)
        {
            Requested.Add(bytes);
            if (Requested.Count == FailAt)
            {
                throw new InsufficientMemoryException("failed for the test");
            }

            var block = _host.Allocate(bytes);
            Allocated.Add(block);
            return block;
        }

        public override void Free(nint block)
        {
            Freed.Add(block);
            _host.Free(block);
        }

        public override void Dispose()
        {
            Disposals++;
            _host.Dispose();
            base.Dispose();
        }
    }
}
