using System.ComponentModel.DataAnnotations;
using Ember.Models.Lora;

namespace Ember.Runtime.Options;

/// <summary>The LoRA adapters a model serves: <c>Ember:Models:{model id}:Lora</c> in <c>runtime.json</c>.</summary>
public sealed class LoraOptions
{
    /// <summary>
    /// The adapters, by the name requests pick them with (<c>lora</c>, <c>model:adapter</c>): each a folder holding a
    /// PEFT adapter (<c>adapter_config.json</c>, <c>adapter_model.safetensors</c>) or one ONNX Runtime adapter file
    /// (<c>.onnx_adapter</c>), or the path of such a file, relative to the config file's folder.
    /// Each is checked against the model when it loads; one that does not fit stops the start, naming it.
    /// </summary>
    public Dictionary<string, string> Adapters { get; set; } = [];

    /// <summary>
    /// Whether the model takes adapters. <see langword="null"/> (the default): when <see cref="Adapters"/> lists one, or
    /// its graph has LoRA inputs (the out-of-the-box models). <see langword="true"/>: even with none listed, for the
    /// fine-tunes uploaded while it runs. Either way, a graph without LoRA inputs that is to take adapters gets them: a
    /// model builder export has them added when it loads (<see cref="Ember.Models.Lora.LoraGraft"/>), and Ember's own
    /// model (<see cref="ModelOptions.Generate"/>) is written with them. They cost a step about a fifth with no adapter
    /// in use. <see langword="false"/>: the model takes no adapters, whatever its graph has.
    /// </summary>
    public bool? Enabled { get; set; }

    /// <summary>
    /// Whether the model is to take adapters (<see cref="Enabled"/>, or true when <see cref="Adapters"/> lists one), or
    /// <see langword="null"/> when its graph decides.
    /// </summary>
    public bool? Requested => Enabled ?? (Adapters.Count > 0 ? true : null);

    /// <summary>The highest adapter rank taken (an adapter's <c>r</c>).</summary>
    [Range(1, 1024)]
    public int MaxRank { get; set; } = LoraLimits.DefaultMaxRank;

    /// <summary>The largest <c>adapter_model.safetensors</c> (or <c>.onnx_adapter</c> file) taken, in bytes.</summary>
    [Range(1, long.MaxValue)]
    public long MaxBytes { get; set; } = LoraLimits.DefaultMaxBytes;

    /// <summary>
    /// The most adapters the model serves at once: those of <see cref="Adapters"/> and the fine-tunes uploaded while it
    /// runs. Every step costs in proportion to the sum of their ranks, whichever adapter each row uses.
    /// </summary>
    [Range(1, 1024)]
    public int MaxAdapters { get; set; } = DefaultMaxAdapters;

    /// <summary>The default <see cref="MaxAdapters"/>.</summary>
    public const int DefaultMaxAdapters = 32;

    /// <summary>The limits as the adapter loader takes them.</summary>
    public LoraLimits Limits => new() { MaxRank = MaxRank, MaxBytes = MaxBytes };
}
