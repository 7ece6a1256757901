using System.Text.Json.Nodes;
using Ember.Models.Lora;
using Ember.Models.Writing;

namespace Ember.Models.Tests.Lora;

public sealed class LoraAdapterTests : IDisposable
{
    private static readonly LoraTargetShape Tiny = LoraTargetShape.From(LlamaShape.Tiny);
    private readonly string _folder = Directory.CreateTempSubdirectory("ember-lora-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Load_RandomAdapter_RankScaleTargetsAndFactorShapes()
    {
        RandomLoraAdapter.Write(_folder, Tiny, 8, [LoraProjection.Query, LoraProjection.Value], seed: 7, alpha: 32);

        var adapter = LoraAdapter.Load(_folder, "mine", Tiny, LoraLimits.Default);

        Assert.Equal("mine", adapter.Name);
        Assert.Equal(8, adapter.Rank);
        Assert.Equal(4.0, adapter.Scale);
        Assert.Equal([LoraProjection.Query, LoraProjection.Value], adapter.Targets);
        Assert.Equal(8 * 64, adapter.Weights(1, LoraProjection.Query)!.A.Length);
        Assert.Equal(32 * 8, adapter.Weights(1, LoraProjection.Value)!.B.Length);
        Assert.Null(adapter.Weights(0, LoraProjection.Key));
        Assert.Null(adapter.Delta(0, LoraProjection.Output, Tiny));
    }

    [Fact]
    public void Delta_IsScaledATransposedTimesBTransposed()
    {
        RandomLoraAdapter.Write(_folder, Tiny, 2, [LoraProjection.Key], seed: 3, alpha: 6);
        var adapter = LoraAdapter.Load(_folder, "a", Tiny, LoraLimits.Default);
        var w = adapter.Weights(0, LoraProjection.Key)!;

        var delta = adapter.Delta(0, LoraProjection.Key, Tiny)!;

        // [input 64, output 32]: element (5, 7) = 3 · Σ_r A[r, 5] · B[7, r].
        Assert.Equal(64 * 32, delta.Length);
        var expected = 3.0 * ((w.A[5] * (double)w.B[7 * 2]) + (w.A[64 + 5] * (double)w.B[(7 * 2) + 1]));
        Assert.Equal((float)expected, delta[(5 * 32) + 7], 6);
    }

    [Fact]
    public void Load_RankAboveLimit_RefusedNamingRankAndLimit()
    {
        RandomLoraAdapter.Write(_folder, Tiny, 16, [LoraProjection.Query], seed: 1);

        var error = Assert.Throws<LoraAdapterException>(() => LoraAdapter.Load(_folder, "a", Tiny, new LoraLimits { MaxRank = 8 }));

        Assert.Equal("adapter_config.json: rank r = 16 is above the limit of 8.", error.Message);
    }

    [Fact]
    public void Load_TargetModuleTheModelLacks_RefusedNamingIt()
    {
        RandomLoraAdapter.Write(_folder, Tiny, 4, [LoraProjection.Query], seed: 1);
        EditConfig(config => config["target_modules"] = new JsonArray("q_proj", "gate_proj"));

        var error = Assert.Throws<LoraAdapterException>(() => LoraAdapter.Load(_folder, "a", Tiny, LoraLimits.Default));

        Assert.Equal("adapter_config.json: target module 'gate_proj' is not one the model takes adapters on (q_proj, k_proj, v_proj, o_proj).", error.Message);
    }

    [Fact]
    public void Load_AdapterOfAnotherModelsShape_RefusedNamingTensorAndShapes()
    {
        RandomLoraAdapter.Write(_folder, Tiny with { Heads = 8 }, 4, [LoraProjection.Output], seed: 1);

        var error = Assert.Throws<LoraAdapterException>(() => LoraAdapter.Load(_folder, "a", Tiny, LoraLimits.Default));

        Assert.Equal("adapter_model.safetensors: tensor 'base_model.model.model.layers.0.self_attn.o_proj.lora_A.weight' has shape [4, 128]; the model and r = 4 need [4, 64].", error.Message);
    }

    [Fact]
    public void Load_MoreLayersThanTheModel_Refused()
    {
        RandomLoraAdapter.Write(_folder, Tiny with { Layers = 3 }, 4, [LoraProjection.Query], seed: 1);

        var error = Assert.Throws<LoraAdapterException>(() => LoraAdapter.Load(_folder, "a", Tiny, LoraLimits.Default));

        Assert.Equal("adapter_model.safetensors: tensor 'base_model.model.model.layers.2.self_attn.q_proj.lora_A.weight' is for layer 2; the model has 2 layers.", error.Message);
    }

    [Fact]
    public void Load_OversizedWeights_Refused()
    {
        RandomLoraAdapter.Write(_folder, Tiny, 4, [LoraProjection.Query], seed: 1);

        var error = Assert.Throws<LoraAdapterException>(() => LoraAdapter.Load(_folder, "a", Tiny, new LoraLimits { MaxBytes = 1000 }));

        Assert.StartsWith("adapter_model.safetensors is ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("bytes, above the limit of 1000 bytes.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_OnnxRuntimeAdapterFile_RefusedSayingWhatIsServed()
    {
        File.WriteAllBytes(Path.Combine(_folder, "model.onnx_adapter"), [1, 2, 3]);

        var error = Assert.Throws<LoraAdapterException>(() => LoraAdapter.Load(_folder, "a", Tiny, LoraLimits.Default));

        Assert.StartsWith("model.onnx_adapter is an ONNX Runtime adapter (.onnx_adapter); Ember serves PEFT adapters", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("use_dora", true, "adapter_config.json: use_dora is true; DoRA adapters are not taken.")]
    [InlineData("peft_type", "IA3", "adapter_config.json: peft_type is IA3; only LORA adapters are taken.")]
    [InlineData("r", 0, "adapter_config.json: r (the rank) is missing or not a positive integer.")]
    public void Load_ConfigNotTaken_Refused(string field, object value, string message)
    {
        RandomLoraAdapter.Write(_folder, Tiny, 4, [LoraProjection.Query], seed: 1);
        EditConfig(config => config[field] = JsonValue.Create(value));

        var error = Assert.Throws<LoraAdapterException>(() => LoraAdapter.Load(_folder, "a", Tiny, LoraLimits.Default));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Load_MissingWeights_RefusedNamingFile()
    {
        RandomLoraAdapter.Write(_folder, Tiny, 4, [LoraProjection.Query], seed: 1);
        File.Delete(Path.Combine(_folder, LoraAdapter.WeightsFileName));

        var error = Assert.Throws<LoraAdapterException>(() => LoraAdapter.Load(_folder, "a", Tiny, LoraLimits.Default));

        Assert.Equal("adapter_model.safetensors is missing from the adapter 'a'.", error.Message);
    }

    [Theory]
    [InlineData("my-adapter_1.0", true)]
    [InlineData("", false)]
    [InlineData("a:b", false)]
    [InlineData("a/b", false)]
    public void IsValidName_Table(string name, bool valid) => Assert.Equal(valid, LoraAdapter.IsValidName(name));

    private void EditConfig(Action<JsonObject> edit)
    {
        var path = Path.Combine(_folder, PeftAdapterConfig.FileName);
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(config);
        File.WriteAllText(path, config.ToJsonString());
    }
}
