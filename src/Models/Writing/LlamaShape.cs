using System.Globalization;

namespace Ember.Models.Writing;

/// <summary>
/// The size of a Llama-2-style decoder that <see cref="LlamaModelWriter"/> writes.
/// </summary>
/// <param name="Layers">Decoder layers.</param>
/// <param name="Hidden">Model width.</param>
/// <param name="Heads">Query heads.</param>
/// <param name="KvHeads">Key/value heads (grouped-query attention); divides <paramref name="Heads"/>.</param>
/// <param name="Intermediate">Width of the SwiGLU MLP.</param>
/// <param name="VocabSize">Vocabulary size; equals the tokenizer's (<see cref="ModelTokenizer.VocabSize"/>).</param>
/// <param name="ContextLength">Longest sequence (prompt and generated tokens) the model takes.</param>
public sealed record LlamaShape(int Layers, int Hidden, int Heads, int KvHeads, int Intermediate, int VocabSize, int ContextLength)
{
    /// <summary>
    /// The block of the small presets' quantized weights (input features a scale): 32, the model builder's default,
    /// and the only one their golden values were taken with.
    /// </summary>
    public const int QuantizationBlock = 32;

    /// <summary>
    /// The block of the real shapes' quantized weights: 128, a scale for every 128 input features. Against 32, ORT's
    /// pre-packed int4 weights take 72 bytes a block of 128 instead of 96 (codes, a scale and a block sum each 32), so
    /// the resident weights stay close to the file, and the products ran 1.2–1.4× faster on 2 cores.
    /// </summary>
    public const int RealShapeQuantizationBlock = 128;

    /// <summary>The quantization block the writer uses for this shape unless told otherwise.</summary>
    public int DefaultQuantizationBlock => WritesAllVariants ? QuantizationBlock : RealShapeQuantizationBlock;

    /// <summary>The test model: 2 layers, width 64, written in milliseconds; its context (16384) is long enough for every catalog limit to be exercised on it.</summary>
    public static LlamaShape Tiny { get; } = new(2, 64, 4, 2, 192, LlamaVocabulary.Size, 16384);

    /// <summary>The benchmark model: 8 layers, width 512, 8 heads, 4 KV heads, FFN 1376 (about 24M parameters).</summary>
    public static LlamaShape Small { get; } = new(8, 512, 8, 4, 1376, LlamaVocabulary.Size, 2048);

    /// <summary>TinyLlama-1.1B's layout: 22 layers, width 2048, 32 heads, 4 KV heads, FFN 5632, context 2048.</summary>
    public static LlamaShape TinyLlama { get; } = new(22, 2048, 32, 4, 5632, LlamaVocabulary.Size, 2048);

    /// <summary>Llama-2-7B's layout: 32 layers, width 4096, 32 heads, 32 KV heads, FFN 11008, context 4096.</summary>
    public static LlamaShape Llama2 { get; } = new(32, 4096, 32, 32, 11008, LlamaVocabulary.Size, 4096);

    /// <summary>
    /// Mistral-7B v0.1's layout: 32 layers, width 4096, 32 heads, 8 KV heads, FFN 14336, context 8192 (the catalog's;
    /// its sliding window of 4096 is not modelled: the attention sees the whole context).
    /// </summary>
    public static LlamaShape Mistral { get; } = new(32, 4096, 32, 8, 14336, LlamaVocabulary.Size, 8192);

    /// <summary>The presets' names, as <c>Generate</c> and the benchmark's <c>--preset</c> take them.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = ["tiny", "small", "tinyllama-1.1b", "llama-2-7b", "mistral-7b"];

    /// <summary>Width of one attention head.</summary>
    public int HeadSize => Hidden / Heads;

    /// <summary>The number of weights, embeddings and output projection included.</summary>
    public long ParameterCount =>
        (2L * VocabSize * Hidden) + Hidden
        + (Layers * ((long)Hidden * (Hidden + (2 * KvHeads * HeadSize)) + ((long)Hidden * Hidden) + (3L * Hidden * Intermediate) + (2L * Hidden)));

    /// <summary>
    /// Whether the writer writes every variant of this shape at once (<c>fp32</c>, <c>fp16</c>, <c>int8</c>,
    /// <c>int4</c>): up to 100M parameters; a larger model is written in the variant asked for only (a 7B model is 27 GB in fp32).
    /// </summary>
    public bool WritesAllVariants => ParameterCount <= 100_000_000;

    /// <summary>A preset by name (<see cref="PresetNames"/>, any case), with Ember's own vocabulary's size.</summary>
    /// <exception cref="ArgumentException">The name is not a preset.</exception>
    public static LlamaShape FromPreset(string name) => name.ToUpperInvariant() switch
    {
        "TINY" => Tiny,
        "SMALL" => Small,
        "TINYLLAMA-1.1B" => TinyLlama,
        "LLAMA-2-7B" => Llama2,
        "MISTRAL-7B" => Mistral,
        _ => throw new ArgumentException($"Unknown model preset '{name}': use one of {string.Join(", ", PresetNames.Select(preset => $"'{preset}'"))}.", nameof(name)),
    };

    /// <summary>A preset by name, with <paramref name="tokenizer"/>'s vocabulary.</summary>
    /// <exception cref="ArgumentException">The name is not a preset.</exception>
    public static LlamaShape FromPreset(string name, ModelTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return FromPreset(name) with { VocabSize = tokenizer.VocabSize };
    }

    /// <summary>Throws when the shape cannot make a working model, naming every broken rule.</summary>
    /// <exception cref="ArgumentException">The shape is not valid.</exception>
    public void Validate()
    {
        var errors = new List<string>();
        Require(errors, Layers is >= 1 and <= 256, $"Layers must be 1..256 (got {Layers})");
        Require(errors, Heads >= 1, $"Heads must be at least 1 (got {Heads})");
        Require(errors, KvHeads >= 1 && Heads >= 1 && Heads % KvHeads == 0, $"KvHeads must be at least 1 and divide Heads (got {KvHeads} for {Heads} heads)");
        Require(errors, Hidden >= 1 && Heads >= 1 && Hidden % Heads == 0 && Hidden / Heads % 2 == 0, $"Hidden must be a multiple of Heads with an even head size (got {Hidden} for {Heads} heads)");
        Require(errors, Hidden % QuantizationBlock == 0 && Hidden > 0, $"Hidden must be a positive multiple of {QuantizationBlock} (got {Hidden})");
        Require(errors, Intermediate % QuantizationBlock == 0 && Intermediate > 0, $"Intermediate must be a positive multiple of {QuantizationBlock} (got {Intermediate})");
        Require(errors, VocabSize is >= 4 and <= ModelTokenizer.MaxVocabSize, $"VocabSize must be 4..{ModelTokenizer.MaxVocabSize} (got {VocabSize})");
        Require(errors, ContextLength is >= 16 and <= 131072, $"ContextLength must be 16..131072 (got {ContextLength})");
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid model shape: " + string.Join("; ", errors) + ".");
        }
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Layers} layers, hidden {Hidden}, {Heads} heads, {KvHeads} KV heads, FFN {Intermediate}, vocab {VocabSize}, context {ContextLength}");

    private static void Require(List<string> errors, bool condition, string message)
    {
        if (!condition)
        {
            errors.Add(message);
        }
    }
}
