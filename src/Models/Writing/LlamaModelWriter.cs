using Ember.Models.Catalog;

namespace Ember.Models.Writing;

/// <summary>
/// Writes Ember's own Llama-2-style model as a complete ONNX Runtime GenAI folder, as the model builder writes one:
/// <c>model.onnx</c> with its weights in <c>model.onnx.data</c> (external data), <c>genai_config.json</c>,
/// <c>tokenizer.json</c> and <c>tokenizer_config.json</c> (Ember's own vocabulary's, or a real tokenizer's copied).
/// </summary>
/// <remarks>
/// Stateless and thread-safe. The same arguments always write byte-identical files. The weights are made tensor by
/// tensor as they are written, on every core, so writing takes about one tensor's memory, whatever the model's size.
/// </remarks>
public static class LlamaModelWriter
{
    /// <summary>The file in each written folder that says what wrote it (<see cref="Stamp"/>).</summary>
    public const string StampFileName = "ember_model.json";

    /// <summary>The name of the configuration file ORT GenAI reads in a model folder (the writer's and every export's).</summary>
    public const string ConfigFileName = "genai_config.json";

    /// <summary>The writer's output format; raise it whenever the same arguments would write different files.</summary>
    public const int FormatVersion = 7;

    /// <summary>The variants Ember writes for its own models, in folder order.</summary>
    public static IReadOnlyList<ModelVariant> AllVariants { get; } = [ModelVariant.Fp32, ModelVariant.Fp16, ModelVariant.Int8, ModelVariant.Int4];

    /// <summary>The folder name of a variant under a model's root: <c>fp32</c>, <c>fp16</c>, <c>int8</c>, <c>int4</c>.</summary>
    public static string FolderName(ModelVariant variant) => variant.ToString().ToLowerInvariant();

    /// <summary>The file beside <c>model.onnx</c> holding its weights (ONNX external data).</summary>
    public const string DataFileName = GenAIConfigWriter.ModelFileName + ".data";

    /// <summary>Writes one variant into <paramref name="directory"/> (created if missing).</summary>
    /// <exception cref="ArgumentException">The shape is not valid, or its vocabulary is not the tokenizer's.</exception>
    public static async Task WriteAsync(string directory, LlamaShape shape, ModelVariant variant, LlamaWriterOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(options);
        shape.Validate();
        var tokenizer = options.Tokenizer;
        if (shape.VocabSize != tokenizer.VocabSize)
        {
            throw new ArgumentException($"Invalid model shape: VocabSize {shape.VocabSize} is not the {tokenizer.VocabSize} tokens of {tokenizer}.", nameof(shape));
        }

        Directory.CreateDirectory(directory);

        // The stamp goes first and last: a folder whose writing was cut off holds no valid stamp, so it is written again.
        var stampPath = Path.Combine(directory, StampFileName);
        File.Delete(stampPath);
        var graph = new LlamaGraphBuilder(shape, variant, options, tokenizer).Build();
        await Task.Run(() => graph.Write(Path.Combine(directory, GenAIConfigWriter.ModelFileName), "ember-model-writer", cancellationToken), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(directory, ConfigFileName), GenAIConfigWriter.ToJson(shape, tokenizer), cancellationToken).ConfigureAwait(false);
        await tokenizer.WriteAsync(directory, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(stampPath, Stamp(shape, variant, options), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// What <see cref="WriteAsync"/> records in <see cref="StampFileName"/>: the format version and the arguments, so
    /// that a folder written by an older Ember, or with other arguments, can be recognised and rewritten.
    /// </summary>
    public static string Stamp(LlamaShape shape, ModelVariant variant, LlamaWriterOptions options)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(options);
        return string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $$"""{"writer":"ember","format":{{FormatVersion}},"variant":"{{FolderName(variant)}}","seed":{{options.Seed}},"tokenizer":"{{options.Tokenizer.Fingerprint}}","block":{{options.QuantizationBlock ?? shape.DefaultQuantizationBlock}},"eos_bias":{{(options.EndOfSequenceBias is { } bias ? bias.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "null")}},"query_seqlens":{{(options.QuerySeqlens ? "true" : "false")}}{{KvCacheField(options.KvCache)}},"lora":{{(options.LoraFor(shape) ? "true" : "false")}},"merged_adapter":{{(options.MergedAdapter is { } merged ? $"\"{merged.Name}\"" : "null")}},"shape":"{{shape}}"}""") + "\n";
    }

    /// <summary>The stamp's <c>kv_cache</c> field: recorded for a quantized cache only, so a float-cache folder keeps the stamp it had.</summary>
    private static string KvCacheField(KvCacheType kvCache) =>
        kvCache == KvCacheType.Model ? string.Empty : $",\"kv_cache\":\"{kvCache.ToString().ToLowerInvariant()}\"";

    /// <summary>Writes every variant into <c>{root}/{fp32|fp16|int8|int4}</c> (for shapes that <see cref="LlamaShape.WritesAllVariants"/>).</summary>
    public static async Task WriteAllAsync(string root, LlamaShape shape, LlamaWriterOptions options, CancellationToken cancellationToken)
    {
        foreach (var variant in AllVariants)
        {
            await WriteAsync(Path.Combine(root, FolderName(variant)), shape, variant, options, cancellationToken).ConfigureAwait(false);
        }
    }
}
