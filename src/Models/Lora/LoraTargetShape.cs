using Ember.Models.Writing;

namespace Ember.Models.Lora;

/// <summary>
/// What an adapter is checked against: the sizes of a Llama-style model's attention projections.
/// </summary>
/// <param name="Layers">Decoder layers.</param>
/// <param name="Heads">Query heads.</param>
/// <param name="KvHeads">Key/value heads.</param>
/// <param name="HeadSize">Width of one head.</param>
public sealed record LoraTargetShape(int Layers, int Heads, int KvHeads, int HeadSize)
{
    /// <summary>PEFT's module names of the projections, in <see cref="LoraProjection"/> order.</summary>
    public static IReadOnlyList<string> ModuleNames { get; } = ["q_proj", "k_proj", "v_proj", "o_proj"];

    /// <summary>The model's width (heads × head size).</summary>
    public int Hidden => Heads * HeadSize;

    /// <summary>The shape of Ember's own model of <paramref name="shape"/>.</summary>
    public static LoraTargetShape From(LlamaShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return new(shape.Layers, shape.Heads, shape.KvHeads, shape.HeadSize);
    }

    /// <summary>PEFT's module name of <paramref name="projection"/>.</summary>
    public static string ModuleName(LoraProjection projection) => ModuleNames[(int)projection];

    /// <summary>The projection PEFT names <paramref name="module"/>, or null for a module the graph does not take adapters on.</summary>
    public static LoraProjection? Parse(string module)
    {
        var index = ModuleNames.ToList().IndexOf(module);
        return index < 0 ? null : (LoraProjection)index;
    }

    /// <summary>Input features of <paramref name="projection"/>.</summary>
    public int InputWidth(LoraProjection projection) => Hidden;

    /// <summary>Output features of <paramref name="projection"/>.</summary>
    public int OutputWidth(LoraProjection projection) => projection is LoraProjection.Key or LoraProjection.Value ? KvHeads * HeadSize : Hidden;
}
