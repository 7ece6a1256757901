namespace Ember.Runtime.Options;

/// <summary>Where a model replica runs.</summary>
public enum ExecutionProvider
{
    /// <summary>ONNX Runtime's CPU provider (every build).</summary>
    Cpu,

    /// <summary>NVIDIA CUDA (the <c>Cuda</c> build flavour).</summary>
    Cuda,

    /// <summary>DirectML on Windows (the <c>DirectML</c> build flavour).</summary>
    Dml,
}
