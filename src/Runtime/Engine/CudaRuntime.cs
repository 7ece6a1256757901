using System.Reflection;
using System.Runtime.InteropServices;

namespace Ember.Runtime.Engine;

/// <summary>
/// The CUDA runtime calls Ember makes itself, for the KV cache's device memory: select the device, allocate, zero
/// and free. The library is the CUDA 13 runtime that ONNX Runtime's CUDA provider needs anyway
/// (<c>libcudart.so.13</c>, <c>cudart64_13.dll</c>). Each returns 0 on success, else the CUDA error code.
/// </summary>
internal static partial class CudaRuntime
{
    private const string Library = "cudart";

    static CudaRuntime() => NativeLibrary.SetDllImportResolver(typeof(CudaRuntime).Assembly, Resolve);

    /// <summary><c>cudaSetDevice</c>: later calls on this thread use <paramref name="device"/>.</summary>
    public static int SetDevice(int device) => NativeMethods.cudaSetDevice(device);

    /// <summary><c>cudaMalloc</c>.</summary>
    public static int Malloc(out nint address, nuint bytes) => NativeMethods.cudaMalloc(out address, bytes);

    /// <summary><c>cudaMemset</c>.</summary>
    public static int Memset(nint address, int value, nuint count) => NativeMethods.cudaMemset(address, value, count);

    /// <summary><c>cudaMemcpyDeviceToDevice</c>, the kind of a copy within a device's memory.</summary>
    public const int DeviceToDevice = 3;

    /// <summary><c>cudaMemcpy</c> (synchronous with respect to the host).</summary>
    public static int Memcpy(nint destination, nint source, nuint count, int kind) => NativeMethods.cudaMemcpy(destination, source, count, kind);

    /// <summary><c>cudaFree</c>.</summary>
    public static int Free(nint address) => NativeMethods.cudaFree(address);

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != Library)
        {
            return 0;
        }

        var file = OperatingSystem.IsWindows() ? "cudart64_13.dll" : "libcudart.so.13";
        return NativeLibrary.TryLoad(file, assembly, path, out var handle) ? handle : 0;
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Style", "IDE1006:Naming Styles", Justification = "The CUDA runtime's own names.")]
    private static partial class NativeMethods
    {
        [LibraryImport(Library)]
        internal static partial int cudaSetDevice(int device);

        [LibraryImport(Library)]
        internal static partial int cudaMalloc(out nint devPtr, nuint size);

        [LibraryImport(Library)]
        internal static partial int cudaMemset(nint devPtr, int value, nuint count);

        [LibraryImport(Library)]
        internal static partial int cudaFree(nint devPtr);

        [LibraryImport(Library)]
        internal static partial int cudaMemcpy(nint dst, nint src, nuint count, int kind);
    }
}
