namespace Ember.Runtime.Options;

/// <summary>How the continuous scheduler batches rows of different LoRA adapters (see docs/lora.md, "The batching rule").</summary>
public enum LoraBatching
{
    /// <summary>
    /// Any mix of adapters, and rows of none, runs in one step: each row carries its adapter into the graph (Punica,
    /// S-LoRA). The default.
    /// </summary>
    PerRow,

    /// <summary>
    /// A step runs the rows of one adapter only (rows of no adapter are a group of their own) and the groups take turns,
    /// the one that waited longest first: what one adapter set per ONNX Runtime <c>Run</c> would do. The other groups'
    /// rows stay idle in the step. Kept for comparison (<c>--lora</c> in the benchmark).
    /// </summary>
    Groups,
}
