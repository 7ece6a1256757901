using Microsoft.ML.OnnxRuntime;

namespace Ember.Runtime.Engine;

/// <summary>
/// Where a <see cref="KvCache"/> keeps its blocks: host memory (<see cref="HostCacheMemory"/>) or a device's memory
/// (<see cref="CudaCacheMemory"/>). A block is addressed by a raw address so that a slot view is the block's
/// address plus an offset.
/// </summary>
/// <remarks>Used by the owning scheduler thread only; the cache frees every block it allocated before disposing this.</remarks>
internal abstract class CacheMemory : IDisposable
{
    /// <summary>Where views of these blocks live, for ONNX Runtime.</summary>
    public abstract OrtMemoryInfo Info { get; }

    /// <summary>Where the blocks live, for messages ("host memory", "CUDA device 0").</summary>
    public abstract string Where { get; }

    /// <summary>Allocates <paramref name="bytes"/> bytes, zeroed.</summary>
    /// <exception cref="OutOfMemoryException">The memory is not there.</exception>
    public abstract nint Allocate(long bytes);

    /// <summary>Frees a block of <see cref="Allocate"/>; 0 is ignored.</summary>
    public abstract void Free(nint block);

    /// <summary>Copies <paramref name="bytes"/> bytes between two places of this memory's blocks (they do not overlap).</summary>
    /// <param name="destination">Where to.</param>
    /// <param name="source">Where from.</param>
    /// <param name="bytes">How many bytes.</param>
    public abstract void Copy(nint destination, nint source, long bytes);

    /// <inheritdoc/>
    public virtual void Dispose()
    {
        GC.SuppressFinalize(this);
    }
}
