using Ember.Runtime.Generation;
using Ember.Runtime.Options;
using Microsoft.ML.OnnxRuntime;

namespace Ember.Runtime.Engine;

/// <summary>
/// The execution provider a decoder session runs on, and what the decoder can do there: where its cache lives and
/// whether a prompt may be prefilled in chunks.
/// </summary>
/// <param name="Provider">The provider.</param>
/// <param name="DeviceId">The device index (GPU providers).</param>
internal sealed record DecoderProvider(ExecutionProvider Provider, int DeviceId)
{
    /// <summary>The CPU provider.</summary>
    public static DecoderProvider Cpu { get; } = new(ExecutionProvider.Cpu, 0);

    /// <summary>
    /// Whether a prompt may be prefilled in chunks after the first. False on DirectML: its <c>GroupQueryAttention</c>
    /// (<c>DmlOperatorGroupQueryAttention.cpp</c>) takes the past length as 0 whenever more than one token is given,
    /// so a second chunk would not see the first; there a prompt is prefilled in one call.
    /// </summary>
    public bool ChunkedPrefill => Provider != ExecutionProvider.Dml;

    /// <summary>
    /// Whether Ember feeds <c>GroupQueryAttention</c>'s <c>query_seqlens</c> here, so that one <c>Run</c> carries decode
    /// rows and the prefill chunks of several sequences (where the graph takes it). True on the CPU, whose 1.32 kernel
    /// is proven exact against prefill and decode run apart. False on CUDA: ONNX Runtime 1.32's schema says its CUDA
    /// kernel honours the input, but no GPU run has proven it exact yet. False on DirectML, whose kernel does not take it.
    /// </summary>
    public bool QuerySeqlens => Provider == ExecutionProvider.Cpu;

    /// <summary>Whether the KV cache lives in the device's memory (CUDA) rather than in host memory.</summary>
    public bool DeviceCache => Provider == ExecutionProvider.Cuda;

    /// <summary>Adds the provider to <paramref name="options"/>; the CPU provider needs nothing.</summary>
    /// <exception cref="AiTextGenerationException">The provider's library could not be loaded or started: the message names the provider, ONNX Runtime's words (which name the library) and the build to use.</exception>
    public void AppendTo(SessionOptions options)
    {
        try
        {
            switch (Provider)
            {
                case ExecutionProvider.Cuda:
                    using (var cuda = new OrtCUDAProviderOptions())
                    {
                        cuda.UpdateOptions(new Dictionary<string, string>
                        {
                            ["device_id"] = DeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        });
                        options.AppendExecutionProvider_CUDA(cuda);
                    }

                    break;
                case ExecutionProvider.Dml:
                    options.AppendExecutionProvider_DML(DeviceId);
                    break;
                default:
                    break;
            }
        }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            throw new AiTextGenerationException(AiErrorKind.RuntimeFailure, $"The {Provider} execution provider could not start on device {DeviceId}: {e.Message.Trim()} {Hint}", e);
        }
    }

    /// <summary>The memory the cache of a session on this provider lives in; the cache owns it.</summary>
    public CacheMemory CacheMemory() =>
        DeviceCache ? new CudaCacheMemory(DeviceId) : new HostCacheMemory();

    private string Hint => Provider switch
    {
        ExecutionProvider.Cuda => $"Provider Cuda needs {Build("Cuda")}an NVIDIA driver of 580 or later and the CUDA 13 libraries (libcudart.so.13, libcublas.so.13, libcublasLt.so.13, libcurand.so.10) on the library path.",
        ExecutionProvider.Dml => $"Provider Dml needs {Build("DirectML")}Windows with a DirectX 12 GPU.",
        _ => string.Empty,
    };

    private static string Build(string flavor) =>
        BuildFlavor.Name == flavor ? string.Empty : $"the {flavor} build (dotnet build -p:OrtGenAIFlavor={flavor}; this is the {BuildFlavor.Name} build), ";
}
