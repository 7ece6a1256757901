using Ember.Runtime.Engine;
using Ember.Runtime.Generation;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Ember.Runtime.Tests.Engine;

[Collection(RuntimeTestGroup.Name)]
public sealed class DecoderLayoutTests(TinyModelFixture models)
{
    [Theory]
    [InlineData("fp32", TensorElementType.Float, TensorElementType.Float)]
    [InlineData("int8", TensorElementType.Float, TensorElementType.Float)]
    [InlineData("fp16", TensorElementType.Float16, TensorElementType.Float16)]
    public void Read_EachVariant_TypesComeFromTheGraph(string variant, TensorElementType cache, TensorElementType logits)
    {
        var layout = DecoderLayout.Read(models.Folder(variant));

        Assert.Equal(new DecoderTypes(TensorElementType.Int64, TensorElementType.Int64, cache, logits), layout.Types);
    }

    [Fact]
    public void Read_Fp16_CacheHalvesAndTheLoadedSessionRunsIt()
    {
        var layout = DecoderLayout.Read(models.Folder("fp16"));
        using var session = DecoderSession.Load(layout, 2, 64, 0, spinning: false);

        Assert.Equal(KvCache.BytesFor(layout.Layers, 2, layout.KvHeads, 64, layout.HeadSize, 4) / 2, session.CacheBytes);
        Assert.Equal("host memory", session.CacheWhere);
        Assert.Equal(layout.VocabSize, session.Prefill(0, [1, 762, 769], 0).Length);
    }

    [Fact]
    public void Read_ModelFileNotOnnx_IsARuntimeFailureNamingTheFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ember-layout-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            File.Copy(Path.Combine(models.Folder("fp32"), "genai_config.json"), Path.Combine(folder, "genai_config.json"));
            File.WriteAllBytes(Path.Combine(folder, "model.onnx"), [0x0A, 0xFF, 0xFF, 0xFF]);

            var error = Assert.Throws<AiTextGenerationException>(() => DecoderLayout.Read(folder));

            Assert.Equal(AiErrorKind.RuntimeFailure, error.Kind);
            Assert.StartsWith($"The model in {folder} has no decoder layout the continuous scheduler can run: ", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
