using Ember.Models.Catalog;
using Ember.Models.Lora;
using Ember.Models.Writing;
using Ember.Runtime.Engine;
using Ember.Runtime.Options;
using Ember.Runtime.Pool;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Ember.Runtime.Tests.Pool;

public sealed class OwnModelProvisionerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("ember-provision-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private ModelOptions Options() => new() { Folder = Path.Combine(_root, "int8"), Variant = ModelVariant.Int8, Generate = "tiny" };

    private string ConfigFile => Path.Combine(_root, "int8", "genai_config.json");

    [Fact]
    public async Task Ensure_FolderMissing_WritesEveryVariantWithItsStamp()
    {
        await OwnModelProvisioner.EnsureAsync(Options(), NullLogger.Instance, CancellationToken.None);

        Assert.All(LlamaModelWriter.AllVariants, v => Assert.True(File.Exists(Path.Combine(_root, LlamaModelWriter.FolderName(v), "model.onnx"))));
        Assert.Equal(
            LlamaModelWriter.Stamp(LlamaShape.Tiny, ModelVariant.Int8, new LlamaWriterOptions()),
            await File.ReadAllTextAsync(Path.Combine(_root, "int8", LlamaModelWriter.StampFileName)));
    }

    [Fact]
    public async Task Ensure_WrittenByAnOlderEmber_Rewrites()
    {
        await OwnModelProvisioner.EnsureAsync(Options(), NullLogger.Instance, CancellationToken.None);
        var expected = await File.ReadAllTextAsync(ConfigFile);
        await File.WriteAllTextAsync(ConfigFile, "{}");
        await File.WriteAllTextAsync(Path.Combine(_root, "int8", LlamaModelWriter.StampFileName), "{\"writer\":\"ember\",\"format\":1}\n");

        await OwnModelProvisioner.EnsureAsync(Options(), NullLogger.Instance, CancellationToken.None);

        Assert.Equal(expected, await File.ReadAllTextAsync(ConfigFile));
    }

    [Fact]
    public async Task Ensure_KvCacheTypeChanged_RewritesWithTheCacheAsked()
    {
        await OwnModelProvisioner.EnsureAsync(Options(), NullLogger.Instance, CancellationToken.None);
        var folder = Path.Combine(_root, "int8");
        Assert.Equal(TensorElementType.Float, DecoderLayout.Read(folder).Types.Cache);

        var int8Cache = Options();
        int8Cache.KvCacheType = KvCacheType.Int8;
        await OwnModelProvisioner.EnsureAsync(int8Cache, NullLogger.Instance, CancellationToken.None);

        Assert.Equal(TensorElementType.Int8, DecoderLayout.Read(folder).Types.Cache);
        Assert.Equal(
            LlamaModelWriter.Stamp(LlamaShape.Tiny, ModelVariant.Int8, new LlamaWriterOptions { KvCache = KvCacheType.Int8 }),
            await File.ReadAllTextAsync(Path.Combine(folder, LlamaModelWriter.StampFileName)));
    }

    /// <summary><c>Lora:Enabled</c> is written into Ember's own model: false writes it without LoRA inputs, true with them.</summary>
    [Fact]
    public async Task Ensure_LoraEnabledChanged_RewritesWithOrWithoutAdapterInputs()
    {
        var folder = Path.Combine(_root, "int8");
        var off = Options();
        off.Lora.Enabled = false;
        await OwnModelProvisioner.EnsureAsync(off, NullLogger.Instance, CancellationToken.None);
        Assert.Null(DecoderLayout.Read(folder).Lora);

        var on = Options();
        on.Lora.Enabled = true;
        await OwnModelProvisioner.EnsureAsync(on, NullLogger.Instance, CancellationToken.None);

        Assert.Equal(LoraTargetShape.From(LlamaShape.Tiny), DecoderLayout.Read(folder).Lora);
        Assert.Equal(
            LlamaModelWriter.Stamp(LlamaShape.Tiny, ModelVariant.Int8, new LlamaWriterOptions { Lora = true }),
            await File.ReadAllTextAsync(Path.Combine(folder, LlamaModelWriter.StampFileName)));
    }

    [Fact]
    public async Task Ensure_FolderHoldsAModelEmberDidNotWrite_LeavesItAlone()
    {
        Directory.CreateDirectory(Path.Combine(_root, "int8"));
        await File.WriteAllTextAsync(ConfigFile, "{\"exported\":true}");

        await OwnModelProvisioner.EnsureAsync(Options(), NullLogger.Instance, CancellationToken.None);

        Assert.Equal("{\"exported\":true}", await File.ReadAllTextAsync(ConfigFile));
        Assert.False(File.Exists(Path.Combine(_root, "int8", "model.onnx")));
    }
}
