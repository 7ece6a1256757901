using Ember.Models.Catalog;
using Ember.Models.Lora;

namespace Ember.Models.Writing;

/// <summary>How <see cref="LlamaModelWriter"/> makes its pseudo-random weights.</summary>
public sealed record LlamaWriterOptions
{
    /// <summary>The seed Ember's own models are written with.</summary>
    public const ulong DefaultSeed = 20231001;

    /// <summary>The seed of every weight; the same seed always writes the same bytes.</summary>
    public ulong Seed { get; init; } = DefaultSeed;

    /// <summary>
    /// The end-of-sequence token's logit. Its output column is zero, like every non-word token's, so without
    /// a bias <c>&lt;/s&gt;</c> scores 0 against word logits of about 5 to 10 and greedy runs go to their
    /// <c>max_tokens</c> (what benchmarks need); a bias near the top word logit (about 9) makes sequences end
    /// on their own, which is what EOS-finish tests need.
    /// <see langword="null"/> writes no bias node.
    /// </summary>
    public float? EndOfSequenceBias { get; init; }

    /// <summary>
    /// Input features a scale in quantized weights (int8, int4): 16, 32, 64, 128 or 256, dividing the width and the MLP's
    /// width. <see langword="null"/>: the shape's <see cref="LlamaShape.DefaultQuantizationBlock"/>.
    /// </summary>
    public int? QuantizationBlock { get; init; }

    /// <summary>
    /// Whether the graph takes <c>query_seqlens</c> (the input of <c>GroupQueryAttention</c> in ONNX Runtime 1.32), which lets one
    /// <c>Run</c> carry decode rows and prefill chunks of several sequences, and then returns only each row's last fed
    /// position's logits. True for Ember's own models; false writes the model builder's form, without it.
    /// </summary>
    public bool QuerySeqlens { get; init; } = true;

    /// <summary>
    /// The KV cache's element type: <see cref="KvCacheType.Model"/> (the default) writes the activations' type (float32,
    /// or float16 for fp16); <see cref="KvCacheType.Int8"/> writes an int8 cache (<see cref="KvCacheQuantization"/>).
    /// </summary>
    public KvCacheType KvCache { get; init; } = KvCacheType.Model;

    /// <summary>
    /// Whether the graph takes LoRA adapters per row on its q/k/v/o projections (<see cref="LoraGraphInputs"/>); a graph
    /// that is not fed them is the base model. <see langword="null"/> (the default): the shape's own choice,
    /// <see cref="LoraFor"/>.
    /// </summary>
    public bool? Lora { get; init; }

    /// <summary>
    /// An adapter whose change is merged into the q/k/v/o weights (fp32 and fp16 only): the reference an adapter served
    /// per row is compared with. <see langword="null"/>: the base weights.
    /// </summary>
    public LoraAdapter? MergedAdapter { get; init; }

    /// <summary>
    /// Whether <paramref name="shape"/>'s graph takes LoRA adapters: <see cref="Lora"/> where set; otherwise the toy shapes
    /// do (the out-of-the-box model shows LoRA working) and the real shapes do not, as the adapter inputs cost their
    /// steps about a fifth with no adapter in use (tinyllama-1.1b int4 on 2 cores: 26.5 against 20.8 ms a decode step at
    /// one row, 99.6 against 81.8 at 16).
    /// </summary>
    /// <param name="shape">The shape written.</param>
    public bool LoraFor(LlamaShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return Lora ?? shape.WritesAllVariants;
    }

    /// <summary>The tokenizer the model is built around; its vocabulary size must be the shape's. Ember's own by default.</summary>
    public ModelTokenizer Tokenizer { get; init; } = ModelTokenizer.Own;
}
