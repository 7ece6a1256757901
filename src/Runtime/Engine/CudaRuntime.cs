using System.Reflection;
using System.Runtime.InteropServices;

namespace Ember.Runtime.Engine;

/// <summary>
/// The one CUDA runtime call Ember makes itself: zeroing device memory. The library is the CUDA 13 runtime that
/// ONNX Runtime's CUDA provider needs anyway (<c>libcudart.so.13</c>, <c>cudart64_13.dll</c>).
/// </summary>
internal static partial class CudaRuntime
{
    private const string Library = "cudart";

    static CudaRuntime() => NativeLibrary.SetDllImportResolver(typeof(CudaRuntime).Assembly, Resolve);

    /// <summary><c>cudaMemset</c>: 0 on success, else the CUDA error code.</summary>
    public static int Memset(nint address, int value, nuint count) => NativeMethods.cudaMemset(address, value, count);

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != Library)
        {
            return 0;
        }

        var file = OperatingSystem.IsWindows() ? "cudart64_13.dll" : "libcudart.so.13";
        return NativeLibrary.TryLoad(file, assembly, path, out var handle) ? handle : 0;
    }

    private static partial class NativeMethods
    {
        [LibraryImport(Library)]
        [UnmanagedCallConv(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
        [System.Diagnostics.CodeAnalysis.SuppressMessage("Style", "IDE1006:Naming Styles", Justification = "The CUDA runtime's own name.")]
        internal static partial int cudaMemset(nint devPtr, int value, nuint count);
    }
}
