using Microsoft.ML.OnnxRuntime;

namespace Ember.Runtime.Engine;

/// <summary>
/// Cache blocks in a CUDA device's memory, allocated with <c>cudaMalloc</c> and zeroed with <c>cudaMemset</c> from the
/// CUDA runtime the provider itself loads, and bound as views through CUDA memory info. (Not through ONNX Runtime's
/// allocator: its managed API hands the address out only as a <c>Span</c>, whose length cannot exceed 2 GiB, and one
/// layer's block of a 7B model at 64 slots × 4096 tokens is 2 GiB.)
/// </summary>
/// <remarks>
/// Not run on a GPU yet (Ember's build machines have none): see README "Running on CUDA or DirectML". Used by the
/// owning scheduler thread only.
/// </remarks>
internal sealed class CudaCacheMemory : CacheMemory
{
    private readonly HashSet<nint> _blocks = [];

    /// <summary>Creates the memory of device <paramref name="deviceId"/>.</summary>
    public CudaCacheMemory(int deviceId)
    {
        DeviceId = deviceId;
        Info = new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA, OrtAllocatorType.DeviceAllocator, deviceId, OrtMemType.Default);
    }

    /// <summary>The device.</summary>
    public int DeviceId { get; }

    /// <inheritdoc/>
    public override OrtMemoryInfo Info { get; }

    /// <inheritdoc/>
    public override string Where => $"CUDA device {DeviceId}";

    /// <inheritdoc/>
    public override nint Allocate(long bytes)
    {
        Check(CudaRuntime.SetDevice(DeviceId), "cudaSetDevice", bytes);
        Check(CudaRuntime.Malloc(out var address, (nuint)bytes), "cudaMalloc", bytes);
        var zeroed = CudaRuntime.Memset(address, 0, (nuint)bytes);
        if (zeroed != 0)
        {
            CudaRuntime.Free(address);
            Check(zeroed, "cudaMemset", bytes);
        }

        _blocks.Add(address);
        return address;
    }

    /// <inheritdoc/>
    public override void Copy(nint destination, nint source, long bytes) =>
        Check(CudaRuntime.Memcpy(destination, source, (nuint)bytes, CudaRuntime.DeviceToDevice), "cudaMemcpy", bytes);

    /// <inheritdoc/>
    public override void Free(nint block)
    {
        if (_blocks.Remove(block))
        {
            CudaRuntime.Free(block);
        }
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        foreach (var block in _blocks)
        {
            CudaRuntime.Free(block);
        }

        _blocks.Clear();
        Info.Dispose();
        base.Dispose();
    }

    private void Check(int status, string call, long bytes)
    {
        if (status != 0)
        {
            throw new InsufficientMemoryException($"{call} of {bytes} bytes on {Where} failed with CUDA error {status}.");
        }
    }
}
