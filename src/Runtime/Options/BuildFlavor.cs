namespace Ember.Runtime.Options;

/// <summary>
/// Which native libraries this build links (the <c>OrtGenAIFlavor</c> MSBuild property): <c>Cpu</c> — ONNX Runtime's
/// CPU build and ORT GenAI's CPU package; <c>Cuda</c> — ONNX Runtime's CUDA build (the only <c>libonnxruntime</c> in
/// the output) under Ember's decoder, with ORT GenAI's CPU package for the tokenizer and CPU waves, or its CUDA
/// package with <c>OrtGenAICudaPackage=true</c>; <c>DirectML</c> — ORT GenAI's DirectML package and the DirectML build
/// of ONNX Runtime it brings.
/// </summary>
public static class BuildFlavor
{
    /// <summary>The flavour's name: <c>Cpu</c>, <c>Cuda</c> or <c>DirectML</c>.</summary>
#if ORT_GENAI_CUDA
    public const string Name = "Cuda";
#elif ORT_GENAI_DIRECTML
    public const string Name = "DirectML";
#else
    public const string Name = "Cpu";
#endif

    /// <summary>Whether ORT GenAI in this build can drive a provider, so the wave scheduler can run there.</summary>
    public static bool WavesSupport(ExecutionProvider provider) => provider switch
    {
        ExecutionProvider.Cpu => true,
#if ORT_GENAI_CUDA_PACKAGE
        ExecutionProvider.Cuda => true,
#endif
        ExecutionProvider.Dml => Name == "DirectML",
        _ => false,
    };

    /// <summary>Whether this build can run a provider: CPU always, CUDA and DirectML only in their flavours.</summary>
    public static bool Supports(ExecutionProvider provider) => provider switch
    {
        ExecutionProvider.Cpu => true,
        ExecutionProvider.Cuda => Name == "Cuda",
        ExecutionProvider.Dml => Name == "DirectML",
        _ => false,
    };
}
