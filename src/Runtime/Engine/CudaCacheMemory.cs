using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Ember.Runtime.Engine;

/// <summary>
/// Cache blocks in a CUDA device's memory, allocated through the session's own CUDA allocator (so ONNX Runtime
/// accounts for them) and zeroed with <c>cudaMemset</c> from the CUDA runtime the provider itself loads.
/// </summary>
/// <remarks>
/// Not run on a GPU yet (Ember's build machines have none): written from ONNX Runtime 1.31's managed API, see
/// README "Running on CUDA or DirectML".
/// </remarks>
internal sealed unsafe partial class CudaCacheMemory : CacheMemory
{
    private readonly OrtAllocator _allocator;
    private readonly Dictionary<nint, OrtValue> _blocks = [];

    /// <summary>Creates the memory of device <paramref name="deviceId"/> for a session that runs on CUDA.</summary>
    public CudaCacheMemory(InferenceSession session, int deviceId)
    {
        DeviceId = deviceId;
        Info = new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA, OrtAllocatorType.DeviceAllocator, deviceId, OrtMemType.Default);
        _allocator = new OrtAllocator(session, Info);
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
        OrtValue block;
        try
        {
            block = OrtValue.CreateAllocatedTensorValue(_allocator, TensorElementType.UInt8, [bytes]);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InsufficientMemoryException($"{Where} could not allocate {bytes} bytes: {e.Message}", e);
        }

        var address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(block.GetTensorMutableRawData()));
        var status = CudaRuntime.Memset(address, 0, (nuint)bytes);
        if (status != 0)
        {
            block.Dispose();
            throw new InsufficientMemoryException($"cudaMemset on {Where} failed with CUDA error {status}.");
        }

        _blocks[address] = block;
        return address;
    }

    /// <inheritdoc/>
    public override void Free(nint block)
    {
        if (_blocks.Remove(block, out var value))
        {
            value.Dispose();
        }
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        foreach (var block in _blocks.Values)
        {
            block.Dispose();
        }

        _blocks.Clear();
        _allocator.Dispose();
        Info.Dispose();
        base.Dispose();
    }
}
