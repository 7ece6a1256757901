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
    public void FromConfig_LayerNumberBeyondInt32_RefusedNamingIt()
    {
        var config = new PeftAdapterConfig { R = 4, LoraAlpha = 8, TargetModules = ["q_proj"] };
        const string Name = "base_model.model.model.layers.99999999999.self_attn.q_proj.lora_A.weight";
        SafetensorsTensor[] tensors = [new(Name, "F32", [4, 64], new float[4 * 64])];

        var error = Assert.Throws<LoraAdapterException>(() => LoraAdapter.FromConfig("a", config, tensors, Tiny, LoraLimits.Default));

        Assert.Equal($"adapter_model.safetensors: tensor '{Name}' is for layer 99999999999; the model has 2 layers.", error.Message);
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
    public void Load_OnnxAdapterFileNotOfTheFormat_RefusedNamingIt()
    {
        File.WriteAllBytes(Path.Combine(_folder, "model.onnx_adapter"), [1, 2, 3]);

        var error = Assert.Throws<LoraAdapterException>(() => LoraAdapter.Load(_folder, "a", Tiny, LoraLimits.Default));

        Assert.Equal("model.onnx_adapter is not an ONNX Runtime adapter: the file is 3 bytes, shorter than the 8 of a root offset and file identifier.", error.Message);
    }

    /// <summary>
    /// A PEFT adapter written as the model builder (after Olive's ExtractAdapters) or Olive's convert-adapters write it
    /// (transposed, the scale in lora_B), in a folder or named itself, loads to the same factors and the same change to
    /// every weight.
    /// </summary>
    [Theory]
    [InlineData("attn", false)]
    [InlineData("self_attn", true)]
    public void Load_PeftAdapterWrittenAsOnnxAdapter_SameFactorsAndDeltas(string attention, bool namingTheFile)
    {
        var peft = PeftAdapter(rank: 8, [LoraProjection.Query, LoraProjection.Key, LoraProjection.Value, LoraProjection.Output], alpha: 16);
        var path = WriteOnnxAdapter(peft.ToOnnxAdapterParameters(Tiny, attention: attention));

        var onnx = LoraAdapter.Load(namingTheFile ? path : Path.GetDirectoryName(path)!, "mine", Tiny, LoraLimits.Default);

        Assert.Equal(("mine", 8, 1.0), (onnx.Name, onnx.Rank, onnx.Scale));
        Assert.Equal(peft.Targets, onnx.Targets);
        for (var layer = 0; layer < Tiny.Layers; layer++)
        {
            foreach (var projection in Enum.GetValues<LoraProjection>())
            {
                // Scale 2 (16 / 8) is a power of two: lora_B · 2 is exact, so the deltas are equal bit for bit.
                var (expected, actual) = (peft.Weights(layer, projection)!, onnx.Weights(layer, projection)!);
                Assert.Equal(expected.A, actual.A);
                Assert.Equal(expected.B.Select(b => (float)(b * peft.Scale)), actual.B);
                Assert.Equal(peft.Delta(layer, projection, Tiny), onnx.Delta(layer, projection, Tiny));
            }
        }
    }

    [Theory]
    [InlineData("FLOAT16")]
    [InlineData("BFLOAT16")]
    public void Load_OnnxAdapterOfNarrowFactors_WidenedToFloat(string dataType)
    {
        var peft = PeftAdapter(rank: 4, [LoraProjection.Value], alpha: 4);
        var onnx = LoraAdapter.Load(WriteOnnxAdapter(peft.ToOnnxAdapterParameters(Tiny, dataType)), "a", Tiny, LoraLimits.Default);

        var (expected, actual) = (peft.Weights(1, LoraProjection.Value)!, onnx.Weights(1, LoraProjection.Value)!);
        Assert.Equal(expected.A.Length, actual.A.Length);
        Assert.All(expected.A.Zip(actual.A), pair => Assert.Equal(pair.First, pair.Second, Math.Abs(pair.First) / 128));
        Assert.All(expected.B.Zip(actual.B), pair => Assert.Equal(pair.First, pair.Second, Math.Abs(pair.First) / 128));
    }

    [Fact]
    public void Load_OnnxAdapterRankAboveLimit_RefusedNamingRankAndLimit()
    {
        var path = WriteOnnxAdapter(PeftAdapter(rank: 16, [LoraProjection.Query], alpha: 16).ToOnnxAdapterParameters(Tiny));

        var error = Assert.Throws<LoraAdapterException>(() => LoraAdapter.Load(path, "a", Tiny, new LoraLimits { MaxRank = 8 }));

        Assert.Equal("a.onnx_adapter: rank r = 16 (parameter 'model.layers.0.attn.q_proj.lora_A.weight') is above the limit of 8.", error.Message);
    }

    [Fact]
    public void Load_OnnxAdapterAboveMaxBytes_RefusedNamingFile()
    {
        var path = WriteOnnxAdapter(PeftAdapter(rank: 4, [LoraProjection.Query], alpha: 4).ToOnnxAdapterParameters(Tiny));

        var error = Assert.Throws<LoraAdapterException>(() => LoraAdapter.Load(path, "a", Tiny, new LoraLimits { MaxBytes = 1000 }));

        Assert.Equal($"a.onnx_adapter is {new FileInfo(path).Length} bytes, above the limit of 1000 bytes.", error.Message);
    }

    public static TheoryData<string, string> OnnxAdapterParametersRefused() => new()
    {
        { "model.layers.0.mlp.gate_proj.lora_A.weight", "a.onnx_adapter: parameter 'model.layers.0.mlp.gate_proj.lora_A.weight' is for module 'gate_proj', which is not one the model takes adapters on (q_proj, k_proj, v_proj, o_proj)." },
        { "model.layers.1.mlp.down_proj.lora_B.MatMul.weight", "a.onnx_adapter: parameter 'model.layers.1.mlp.down_proj.lora_B.MatMul.weight' is for module 'down_proj', which is not one the model takes adapters on (q_proj, k_proj, v_proj, o_proj)." },
        { "model.layers.0.self_attn.qkv_proj.lora_A.weight", "a.onnx_adapter: parameter 'model.layers.0.self_attn.qkv_proj.lora_A.weight' is for module 'qkv_proj', which is not one the model takes adapters on (q_proj, k_proj, v_proj, o_proj)." },
        { "model.layers.0.self_attn.q_proj.lora_A.quant.scale", "a.onnx_adapter: parameter 'model.layers.0.self_attn.q_proj.lora_A.quant.scale' is a quantized LoRA factor; adapters are taken in FLOAT, FLOAT16 or BFLOAT16." },
        { "model.layers.0.mlp.q_proj.lora_A.weight", "a.onnx_adapter: parameter 'model.layers.0.mlp.q_proj.lora_A.weight' is not a LoRA factor as the model builder or Olive name them (model.layers.{i}.attn.{q,k,v,o}_proj.lora_{A,B}.weight)." },
        { "model.layers.99999999999.attn.q_proj.lora_A.weight", "a.onnx_adapter: parameter 'model.layers.99999999999.attn.q_proj.lora_A.weight' is for layer 99999999999; the model has 2 layers." },
        { "lora_param_a", "a.onnx_adapter: parameter 'lora_param_a' is not a LoRA factor as the model builder or Olive name them (model.layers.{i}.attn.{q,k,v,o}_proj.lora_{A,B}.weight)." },
        { "model.layers.2.attn.q_proj.lora_A.weight", "a.onnx_adapter: parameter 'model.layers.2.attn.q_proj.lora_A.weight' is for layer 2; the model has 2 layers." },
    };

    [Theory]
    [MemberData(nameof(OnnxAdapterParametersRefused))]
    public void Load_OnnxAdapterParameterNotServed_RefusedNamingIt(string parameterName, string message)
    {
        var parameters = PeftAdapter(rank: 4, [LoraProjection.Query], alpha: 4).ToOnnxAdapterParameters(Tiny).ToList();
        parameters.Add(new OnnxAdapterParameter(parameterName, OnnxAdapterFile.TypeFloat, [64, 4], new float[64 * 4]));

        var error = Assert.Throws<LoraAdapterException>(() => LoraAdapter.Load(WriteOnnxAdapter(parameters), "a", Tiny, LoraLimits.Default));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Load_OnnxAdapterOfAnotherModelsShape_RefusedNamingParameterAndShapes()
    {
        var wide = Tiny with { Heads = 8 };
        RandomLoraAdapter.Write(Path.Combine(_folder, "peft"), wide, 4, [LoraProjection.Output], seed: 1, alpha: 4);
        var parameters = LoraAdapter.Load(Path.Combine(_folder, "peft"), "p", wide, LoraLimits.Default).ToOnnxAdapterParameters(wide);

        var error = Assert.Throws<LoraAdapterException>(() => LoraAdapter.Load(WriteOnnxAdapter(parameters), "a", Tiny, LoraLimits.Default));

        Assert.Equal("a.onnx_adapter: parameter 'model.layers.0.attn.o_proj.lora_A.weight' has shape [128, 4]; the model and r = 4 need [64, 4].", error.Message);
    }

    [Fact]
    public void Load_OnnxAdapterMissingLoraB_Refused()
    {
        var parameters = PeftAdapter(rank: 4, [LoraProjection.Key], alpha: 4).ToOnnxAdapterParameters(Tiny).Where(p => p.Name != "model.layers.1.attn.k_proj.lora_B.weight");

        var error = Assert.Throws<LoraAdapterException>(() => LoraAdapter.Load(WriteOnnxAdapter(parameters), "a", Tiny, LoraLimits.Default));

        Assert.Equal("a.onnx_adapter: layer 1's k_proj has lora_B missing.", error.Message);
    }

    [Fact]
    public void Load_FolderOfTwoOnnxAdaptersOrBothForms_Refused()
    {
        RandomLoraAdapter.Write(_folder, Tiny, 4, [LoraProjection.Query], seed: 1);
        File.WriteAllBytes(Path.Combine(_folder, "b.onnx_adapter"), []);

        var both = Assert.Throws<LoraAdapterException>(() => LoraAdapter.Load(_folder, "a", Tiny, LoraLimits.Default));
        File.WriteAllBytes(Path.Combine(_folder, "a.onnx_adapter"), []);
        var two = Assert.Throws<LoraAdapterException>(() => LoraAdapter.Load(_folder, "a", Tiny, LoraLimits.Default));
        var other = Assert.Throws<LoraAdapterException>(() => LoraAdapter.Load(Path.Combine(_folder, PeftAdapterConfig.FileName), "a", Tiny, LoraLimits.Default));

        Assert.Equal("The adapter 'a' holds both b.onnx_adapter and PEFT's files (adapter_config.json, adapter_model.safetensors); a folder holds one adapter, in one form.", both.Message);
        Assert.Equal("The adapter 'a' holds 2 .onnx_adapter files (a.onnx_adapter, b.onnx_adapter); a folder holds one adapter.", two.Message);
        Assert.Equal("adapter_config.json is a file but not an ONNX Runtime adapter (.onnx_adapter); the adapter 'a' is a folder of adapter_config.json and adapter_model.safetensors, or one .onnx_adapter file.", other.Message);
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

    private LoraAdapter PeftAdapter(int rank, LoraProjection[] targets, double alpha)
    {
        var folder = Path.Combine(_folder, "peft");
        RandomLoraAdapter.Write(folder, Tiny, rank, targets, seed: 5, alpha: alpha);
        return LoraAdapter.Load(folder, "peft", Tiny, new LoraLimits { MaxRank = rank });
    }

    private string WriteOnnxAdapter(IEnumerable<OnnxAdapterParameter> parameters)
    {
        var path = Path.Combine(Directory.CreateDirectory(Path.Combine(_folder, "onnx")).FullName, "a.onnx_adapter");
        OnnxAdapterFile.Write(path, parameters);
        return path;
    }

    private void EditConfig(Action<JsonObject> edit)
    {
        var path = Path.Combine(_folder, PeftAdapterConfig.FileName);
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(config);
        File.WriteAllText(path, config.ToJsonString());
    }
}
