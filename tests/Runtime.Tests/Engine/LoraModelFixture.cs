using Ember.Models.Catalog;
using Ember.Models.Lora;
using Ember.Models.Writing;

namespace Ember.Runtime.Tests.Engine;

/// <summary>
/// The tiny model with its per-row LoRA inputs (fp32, fp16, int8), the same model written without them, two random
/// PEFT adapters (rank 8 on q/k/v/o, rank 4 on q/v) and, for each adapter, the model with its change merged into the
/// weights (fp32, fp16); the same in the model builder's form (fp32, fp16, int8, int4; merged: fp32, fp16), whose
/// adapter inputs Ember adds when it loads; written once for the collection.
/// </summary>
public sealed class LoraModelFixture : IModelFixture, IAsyncLifetime
{
    /// <summary>The variants written with adapter inputs.</summary>
    public static readonly string[] Variants = ["fp32", "fp16", "int8"];

    /// <summary>The adapters' names, in the order they are served.</summary>
    public static readonly string[] AdapterNames = ["wide", "narrow"];

    /// <summary>The shape adapters are checked against.</summary>
    public static LoraTargetShape Shape { get; } = LoraTargetShape.From(LlamaShape.Tiny);

    private static readonly ModelVariant[] MergedVariants = [ModelVariant.Fp32, ModelVariant.Fp16];

    /// <summary>The temporary root of every folder.</summary>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "ember-lora-tests-" + Guid.NewGuid().ToString("N"));

    /// <summary>The adapters, loaded: "wide" (rank 8, q/k/v/o) and "narrow" (rank 4, q/v).</summary>
    public IReadOnlyList<LoraAdapter> Adapters { get; private set; } = [];

    /// <summary>
    /// The same adapters written as <c>.onnx_adapter</c> files, as the model builder names and lays out the factors
    /// (transposed, the scale in lora_B: 2 and 4, powers of two, so the factors are the same bit for bit), and loaded.
    /// </summary>
    public IReadOnlyList<LoraAdapter> OnnxAdapters { get; private set; } = [];

    /// <inheritdoc/>
    public string Folder(string variant) => Base(variant);

    /// <summary>The model with adapter inputs.</summary>
    public string Base(string variant) => Path.Combine(Root, "base", variant);

    /// <summary>The model without adapter inputs.</summary>
    public string Plain => Path.Combine(Root, "plain", "fp32");

    /// <summary>The adapter's folder (PEFT's two files).</summary>
    public string AdapterFolder(string name) => Path.Combine(Root, "adapters", name);

    /// <summary>The adapter's <c>.onnx_adapter</c> file, alone in its folder.</summary>
    public string OnnxAdapterFile(string name) => Path.Combine(Root, "onnx-adapters", name, name + Ember.Models.Lora.OnnxAdapterFile.Extension);

    /// <summary>The variants written in the model builder's form, without adapter inputs (Ember adds them when it loads).</summary>
    public static readonly string[] BuilderVariants = ["fp32", "fp16", "int8", "int4"];

    /// <summary>The model in the model builder's form (no <c>query_seqlens</c>), without adapter inputs.</summary>
    public string Builder(string variant) => Path.Combine(Root, "builder", variant);

    /// <summary>The model in the model builder's form with adapter <paramref name="index"/> merged into its weights.</summary>
    public string BuilderMerged(int index, string variant) => Path.Combine(Root, "builder-merged-" + index, variant);

    /// <summary>The model with adapter <paramref name="index"/> merged into its weights.</summary>
    public string Merged(int index, string variant) => Path.Combine(Root, "merged-" + index, variant);

    public async Task InitializeAsync()
    {
        RandomLoraAdapter.Write(AdapterFolder("wide"), Shape, 8, Enum.GetValues<LoraProjection>(), seed: 11);
        RandomLoraAdapter.Write(AdapterFolder("narrow"), Shape, 4, [LoraProjection.Query, LoraProjection.Value], seed: 12, strength: 2f);
        Adapters = [.. AdapterNames.Select(name => LoraAdapter.Load(AdapterFolder(name), name, Shape, LoraLimits.Default))];
        foreach (var adapter in Adapters)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(OnnxAdapterFile(adapter.Name))!);
            Ember.Models.Lora.OnnxAdapterFile.Write(OnnxAdapterFile(adapter.Name), adapter.ToOnnxAdapterParameters(Shape));
        }

        OnnxAdapters = [.. AdapterNames.Select(name => LoraAdapter.Load(OnnxAdapterFile(name), name, Shape, LoraLimits.Default))];
        foreach (var variant in Variants)
        {
            await LlamaModelWriter.WriteAsync(Base(variant), LlamaShape.Tiny, Enum.Parse<ModelVariant>(variant, ignoreCase: true), new LlamaWriterOptions(), CancellationToken.None);
        }

        await LlamaModelWriter.WriteAsync(Plain, LlamaShape.Tiny, ModelVariant.Fp32, new LlamaWriterOptions { Lora = false }, CancellationToken.None);
        foreach (var variant in BuilderVariants)
        {
            await LlamaModelWriter.WriteAsync(Builder(variant), LlamaShape.Tiny, Enum.Parse<ModelVariant>(variant, ignoreCase: true), new LlamaWriterOptions { Lora = false, QuerySeqlens = false }, CancellationToken.None);
        }

        for (var i = 0; i < Adapters.Count; i++)
        {
            foreach (var variant in MergedVariants)
            {
                await LlamaModelWriter.WriteAsync(Merged(i, LlamaModelWriter.FolderName(variant)), LlamaShape.Tiny, variant, new LlamaWriterOptions { Lora = false, MergedAdapter = Adapters[i] }, CancellationToken.None);
                await LlamaModelWriter.WriteAsync(BuilderMerged(i, LlamaModelWriter.FolderName(variant)), LlamaShape.Tiny, variant, new LlamaWriterOptions { Lora = false, QuerySeqlens = false, MergedAdapter = Adapters[i] }, CancellationToken.None);
            }
        }
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Root, recursive: true);
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class LoraTestGroup : ICollectionFixture<LoraModelFixture>
{
    public const string Name = "LoRA adapters on the tiny model";
}
