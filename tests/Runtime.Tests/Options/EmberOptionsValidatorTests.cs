using Ember.Runtime.Options;

namespace Ember.Runtime.Tests.Options;

public sealed class EmberOptionsValidatorTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ember-options-").FullName;

    public EmberOptionsValidatorTests() => File.WriteAllText(Path.Combine(_folder, "genai_config.json"), "{}");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private ModelOptions Valid() => new() { Folder = _folder, Variant = Ember.Models.Catalog.ModelVariant.Int8 };

    private static List<string> Failures(string id, ModelOptions model)
    {
        var options = new EmberOptions { Models = { [id] = model } };
        return new EmberOptionsValidator().Validate(null, options).Failures?.ToList() ?? [];
    }

    [Fact]
    public void Validate_ValidModel_Succeeds() => Assert.Empty(Failures("@ember/tiny-llama", Valid()));

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(1048575L)]
    public void Validate_KvCacheBudgetBelowOneMiB_FailsNamingTheKey(long budget)
    {
        var options = new EmberOptions { KvCacheBudgetBytes = budget, Models = { ["@ember/tiny-llama"] = Valid() } };

        var failure = Assert.Single(new EmberOptionsValidator().Validate(null, options).Failures!);

        Assert.Equal("Ember:KvCacheBudgetBytes: The field Ember.KvCacheBudgetBytes must be between 1048576 and 1125899906842624.", failure);
    }

    [Fact]
    public void Validate_NoModels_FailsNamingTheSection()
    {
        var result = new EmberOptionsValidator().Validate(null, new EmberOptions());

        Assert.Contains("Ember:Models: no model is configured", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnknownModelId_FailsNamingTheKey() =>
        Assert.StartsWith("Ember:Models:@cf/acme/nothing: '@cf/acme/nothing' is not a catalog model id", Assert.Single(Failures("@cf/acme/nothing", Valid())), StringComparison.Ordinal);

    [Fact]
    public void Validate_BadAdapters_EveryFailureNamingItsKey()
    {
        var model = Valid();
        model.Scheduler = SchedulerKind.Waves;
        model.Lora.Adapters["bad:name"] = _folder;
        model.Lora.Adapters["absent"] = Path.Combine(_folder, "absent");
        model.Lora.Adapters["good"] = _folder;
        File.WriteAllBytes(Path.Combine(_folder, "a.onnx_adapter"), []);
        model.Lora.Adapters["file"] = Path.Combine(_folder, "a.onnx_adapter");
        model.Lora.Adapters["config"] = Path.Combine(_folder, "genai_config.json");

        var failures = Failures("@ember/tiny-llama", model).Where(f => f.Contains(":Lora:", StringComparison.Ordinal)).ToList();

        Assert.Equal(
            [
                "Ember:Models:@ember/tiny-llama:Lora:Adapters: adapters are served by the continuous scheduler only (Scheduler is Waves).",
                "Ember:Models:@ember/tiny-llama:Lora:Adapters:bad:name: an adapter's name is 1 to 64 letters, digits, '-', '_' or '.'.",
                $"Ember:Models:@ember/tiny-llama:Lora:Adapters:absent: '{Path.Combine(_folder, "absent")}' is neither a folder nor an .onnx_adapter file; an adapter is a folder holding adapter_config.json and adapter_model.safetensors or one .onnx_adapter file, or the path of that file.",
                $"Ember:Models:@ember/tiny-llama:Lora:Adapters:config: '{Path.Combine(_folder, "genai_config.json")}' is neither a folder nor an .onnx_adapter file; an adapter is a folder holding adapter_config.json and adapter_model.safetensors or one .onnx_adapter file, or the path of that file.",
            ],
            failures);
    }

    [Fact]
    public void Validate_LoraEnabledOnWaves_FailsNamingTheKey()
    {
        var model = Valid();
        model.Scheduler = SchedulerKind.Waves;
        model.Lora.Enabled = true;

        Assert.Equal(
            "Ember:Models:@ember/tiny-llama:Lora:Enabled: adapters are served by the continuous scheduler only (Scheduler is Waves).",
            Assert.Single(Failures("@ember/tiny-llama", model)));
    }

    [Fact]
    public void Validate_LoraBatchingNotARule_FailsNamingTheKey()
    {
        var model = Valid();
        model.LoraBatching = (LoraBatching)7;

        Assert.Equal("Ember:Models:@ember/tiny-llama:LoraBatching: must be PerRow or Groups (got 7).", Assert.Single(Failures("@ember/tiny-llama", model)));
    }

    [Fact]
    public void Validate_MoreAdaptersThanMaxAdapters_FailsNamingTheLimit()
    {
        var model = Valid();
        model.Lora.MaxAdapters = 1;
        model.Lora.Adapters["first"] = _folder;
        model.Lora.Adapters["second"] = _folder;

        Assert.Equal(
            "Ember:Models:@ember/tiny-llama:Lora:Adapters: 2 adapters are declared, above Lora:MaxAdapters (1).",
            Assert.Single(Failures("@ember/tiny-llama", model)));
    }

    [Fact]
    public void Validate_MissingFolder_FailsNamingTheKey() =>
        Assert.StartsWith("Ember:Models:@ember/tiny-llama:Folder: ", Assert.Single(Failures("@ember/tiny-llama", new ModelOptions { Folder = Path.Combine(_folder, "absent") })), StringComparison.Ordinal);

    [Fact]
    public void Validate_StreamDefaultAboveSequenceLimit_FailsNamingTheLimits()
    {
        var model = Valid();
        model.Limits.DefaultMaxTokensStream = 2000;

        var failure = Assert.Single(Failures("@cf/meta/llama-2-7b-chat-int8", model));

        Assert.StartsWith("Ember:Models:@cf/meta/llama-2-7b-chat-int8:Limits: ", failure, StringComparison.Ordinal);
        Assert.Contains("DefaultMaxTokensStream", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SequenceCap", 0)]
    [InlineData("Replicas", 0)]
    [InlineData("QueueBound", 0)]
    public void Validate_OutOfRangeNumber_FailsNamingTheField(string field, int value)
    {
        var model = Valid();
        typeof(ModelOptions).GetProperty(field)!.SetValue(model, value);

        Assert.StartsWith($"Ember:Models:@ember/tiny-llama:{field}: ", Assert.Single(Failures("@ember/tiny-llama", model)), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TimeoutBeyondATimersRange_FailsNamingTheField()
    {
        var model = Valid();
        model.RequestTimeout = TimeSpan.FromDays(60);

        Assert.StartsWith("Ember:Models:@ember/tiny-llama:RequestTimeout: ", Assert.Single(Failures("@ember/tiny-llama", model)), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_VariantNotInCatalog_Fails()
    {
        var model = Valid();
        model.Variant = Ember.Models.Catalog.ModelVariant.Fp32;

        Assert.StartsWith("Ember:Models:@cf/meta/llama-2-7b-chat-int8:Variant: ", Assert.Single(Failures("@cf/meta/llama-2-7b-chat-int8", model)), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CudaOnCpuBuild_FailsNamingTheFlavour()
    {
        var model = Valid();
        model.Provider = ExecutionProvider.Cuda;
        model.Scheduler = SchedulerKind.Waves;

        Assert.Contains("this is the Cpu build", Assert.Single(Failures("@ember/tiny-llama", model)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ExecutionProvider.Cuda)]
    [InlineData(ExecutionProvider.Dml)]
    public void Validate_ContinuousSchedulerOnGpuProviderOfAnotherBuild_FailsOnlyNamingTheBuild(ExecutionProvider provider)
    {
        var model = Valid();
        model.Provider = provider;

        var failure = Assert.Single(Failures("@ember/tiny-llama", model));

        Assert.StartsWith($"Ember:Models:@ember/tiny-llama:Provider: '{provider}' needs another build; this is the Cpu build", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ManyProblems_ReportsAllAtOnce()
    {
        var model = new ModelOptions { Folder = Path.Combine(_folder, "absent"), SequenceCap = 0, Replicas = 0, RequestTimeout = TimeSpan.Zero };

        Assert.Equal(4, Failures("@ember/tiny-llama", model).Count);
    }
}
