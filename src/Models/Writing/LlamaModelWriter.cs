using Ember.Models.Catalog;

namespace Ember.Models.Writing;

/// <summary>
/// Writes Ember's own Llama-2-style model as a complete ONNX Runtime GenAI folder:
/// <c>model.onnx</c>, <c>genai_config.json</c>, <c>tokenizer.json</c> and <c>tokenizer_config.json</c>.
/// </summary>
/// <remarks>Stateless and thread-safe. The same arguments always write byte-identical files.</remarks>
public static class LlamaModelWriter
{
    /// <summary>The variants Ember writes for its own models, in folder order.</summary>
    public static IReadOnlyList<ModelVariant> AllVariants { get; } = [ModelVariant.Fp32, ModelVariant.Fp16, ModelVariant.Int8, ModelVariant.Int4];

    /// <summary>The folder name of a variant under a model's root: <c>fp32</c>, <c>fp16</c>, <c>int8</c>, <c>int4</c>.</summary>
    public static string FolderName(ModelVariant variant) => variant.ToString().ToLowerInvariant();

    /// <summary>Writes one variant into <paramref name="directory"/> (created if missing).</summary>
    /// <exception cref="ArgumentException">The shape is not valid.</exception>
    public static async Task WriteAsync(string directory, LlamaShape shape, ModelVariant variant, LlamaWriterOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(options);
        shape.Validate();
        Directory.CreateDirectory(directory);
        var vocabulary = LlamaVocabulary.Default;
        var muted = Enumerable.Range(0, vocabulary.FirstWordId).ToArray();
        var model = new LlamaGraphBuilder(shape, variant, options, muted).Build();
        await File.WriteAllBytesAsync(Path.Combine(directory, GenAIConfigWriter.ModelFileName), model, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(directory, "genai_config.json"), GenAIConfigWriter.ToJson(shape), cancellationToken).ConfigureAwait(false);
        await TokenizerWriter.WriteAsync(directory, vocabulary, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes every variant into <c>{root}/{fp32|fp16|int8|int4}</c>.</summary>
    public static async Task WriteAllAsync(string root, LlamaShape shape, LlamaWriterOptions options, CancellationToken cancellationToken)
    {
        foreach (var variant in AllVariants)
        {
            await WriteAsync(Path.Combine(root, FolderName(variant)), shape, variant, options, cancellationToken).ConfigureAwait(false);
        }
    }
}
