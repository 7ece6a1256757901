namespace Ember.Models.Lora;

/// <summary>The limits every adapter is held to when it loads or is uploaded.</summary>
public sealed record LoraLimits
{
    /// <summary>The default <see cref="MaxRank"/>: 64, above the ranks fine-tunes use (8 to 32) and what Workers AI serves.</summary>
    public const int DefaultMaxRank = 64;

    /// <summary>The default <see cref="MaxBytes"/>: 300 MiB, Workers AI's limit on an adapter file.</summary>
    public const long DefaultMaxBytes = 300L * 1024 * 1024;

    /// <summary>The highest rank (<c>r</c>) taken.</summary>
    public int MaxRank { get; init; } = DefaultMaxRank;

    /// <summary>The largest <c>adapter_model.safetensors</c> (or <c>.onnx_adapter</c> file) taken, in bytes.</summary>
    public long MaxBytes { get; init; } = DefaultMaxBytes;

    /// <summary>The limits used where none are configured.</summary>
    public static LoraLimits Default { get; } = new();
}
