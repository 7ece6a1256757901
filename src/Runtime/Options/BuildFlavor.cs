namespace Ember.Runtime.Options;

/// <summary>Which ORT GenAI package this build links (the <c>OrtGenAIFlavor</c> MSBuild property).</summary>
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

    /// <summary>Whether this build can run a provider: CPU always, CUDA and DirectML only in their flavours.</summary>
    public static bool Supports(ExecutionProvider provider) => provider switch
    {
        ExecutionProvider.Cpu => true,
        ExecutionProvider.Cuda => Name == "Cuda",
        ExecutionProvider.Dml => Name == "DirectML",
        _ => false,
    };
}
