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
/// <param name="VocabSize">Vocabulary size; equals the tokenizer's.</param>
/// <param name="ContextLength">Longest sequence (prompt and generated tokens) the model takes.</param>
public sealed record LlamaShape(int Layers, int Hidden, int Heads, int KvHeads, int Intermediate, int VocabSize, int ContextLength)
{
    /// <summary>Quantized weights are grouped in blocks of this many input features.</summary>
    public const int QuantizationBlock = 32;

    /// <summary>The test model: 2 layers, width 64, written in milliseconds; its context (16384) is long enough for every catalog limit to be exercised on it.</summary>
    public static LlamaShape Tiny { get; } = new(2, 64, 4, 2, 192, LlamaVocabulary.Size, 16384);

    /// <summary>The benchmark model: 8 layers, width 512, 8 heads, 4 KV heads, FFN 1376 (about 24M parameters).</summary>
    public static LlamaShape Small { get; } = new(8, 512, 8, 4, 1376, LlamaVocabulary.Size, 2048);

    /// <summary>Width of one attention head.</summary>
    public int HeadSize => Hidden / Heads;

    /// <summary>The number of weights, embeddings and output projection included.</summary>
    public long ParameterCount =>
        (2L * VocabSize * Hidden) + Hidden
        + (Layers * ((long)Hidden * (Hidden + (2 * KvHeads * HeadSize)) + ((long)Hidden * Hidden) + (3L * Hidden * Intermediate) + (2L * Hidden)));

    /// <summary>A preset by name: <c>tiny</c> or <c>small</c>.</summary>
    /// <exception cref="ArgumentException">The name is not a preset.</exception>
    public static LlamaShape FromPreset(string name) => name.ToUpperInvariant() switch
    {
        "TINY" => Tiny,
        "SMALL" => Small,
        _ => throw new ArgumentException($"Unknown model preset '{name}': use 'tiny' or 'small'.", nameof(name)),
    };

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
        Require(errors, VocabSize == LlamaVocabulary.Size, $"VocabSize must equal the tokenizer's {LlamaVocabulary.Size} (got {VocabSize})");
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
