using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace Ember.Runtime.Engine;

/// <summary>Cache blocks in host memory (the CPU provider; and DirectML, whose allocations cannot be viewed at an offset).</summary>
internal sealed unsafe class HostCacheMemory : CacheMemory
{
    /// <inheritdoc/>
    public override OrtMemoryInfo Info => OrtMemoryInfo.DefaultInstance;

    /// <inheritdoc/>
    public override string Where => "host memory";

    /// <inheritdoc/>
    public override nint Allocate(long bytes) => (nint)NativeMemory.AllocZeroed((nuint)bytes);

    /// <inheritdoc/>
    public override void Free(nint block) => NativeMemory.Free((void*)block);

    /// <inheritdoc/>
    public override void Copy(nint destination, nint source, long bytes) => NativeMemory.Copy((void*)source, (void*)destination, (nuint)bytes);
}
