using Ember.Runtime.Generation;

namespace Ember.Runtime.Tests.Service;

[Collection(RuntimeTestGroup.Name)]
public sealed class RequestPlannerTests(TinyModelFixture models)
{
    private const string Llama2Int8 = "@cf/meta/llama-2-7b-chat-int8";

    private static Dictionary<string, string?> CatalogIdOnTinyModel(TinyModelFixture models) => new()
    {
        [$"Ember:Models:{Llama2Int8}:Folder"] = models.Folder("int8"),
        [$"Ember:Models:{Llama2Int8}:Variant"] = "Int8",
    };

    [Fact]
    public async Task Start_MaxTokensAboveSequenceLimit_ThrowsBadInputWithTheHostsWords()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, CatalogIdOnTinyModel(models));

        var error = await Assert.ThrowsAsync<AiTextGenerationException>(() =>
            runtime.Generation.StartAsync(Llama2Int8, new TextGenerationRequest { Prompt = "hi", MaxTokens = 1801 }, CancellationToken.None));

        Assert.Equal(AiErrorKind.BadInput, error.Kind);
        Assert.Equal("max_tokens: must be an integer from 1 to 1800", error.Message);
    }

    [Fact]
    public async Task Start_PromptPlusMaxTokensAboveContext_ThrowsLimitExceeded()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, CatalogIdOnTinyModel(models));
        var longPrompt = string.Join(' ', Enumerable.Repeat("the", 400));

        var error = await Assert.ThrowsAsync<AiTextGenerationException>(() =>
            runtime.Generation.StartAsync(Llama2Int8, new TextGenerationRequest { Prompt = longPrompt, MaxTokens = 1800 }, CancellationToken.None));

        Assert.Equal(AiErrorKind.LimitExceeded, error.Kind);
        Assert.Contains("exceed the context tokens limit of @cf/meta/llama-2-7b-chat-int8, 2048", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, 256)]
    [InlineData(true, 1800)]
    public async Task Start_NoMaxTokens_TakesTheModelsDefault(bool stream, int expected)
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, CatalogIdOnTinyModel(models));
        using var stop = new CancellationTokenSource();

        var generation = await runtime.Generation.StartAsync(Llama2Int8, new TextGenerationRequest { Prompt = "hi", Stream = stream, Temperature = 0 }, stop.Token);
        stop.Cancel();
        await generation.Completion;

        Assert.Equal(expected, generation.MaxTokens);
    }

    [Fact]
    public async Task Start_PromptOnLlama2_TemplatedWithBosOnce()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, CatalogIdOnTinyModel(models));
        runtime.Served.TryGet(Llama2Int8, out var served);

        var tokens = served.Replicas[0].Model.Encode(Ember.Models.Chat.PromptBuilder.FromPrompt(served.Template, "Hello, world!"));
        var result = await runtime.Generation.RunAsync(Llama2Int8, new TextGenerationRequest { Prompt = "Hello, world!", MaxTokens = 2, Temperature = 0 }, CancellationToken.None);

        Assert.Equal(1, tokens[0]);
        Assert.Single(tokens, t => t == 1);
        Assert.Equal(tokens.Length, result.Usage.PromptTokens);
        Assert.Equal(result.Usage.PromptTokens + 2, result.Usage.TotalTokens);
    }

    [Fact]
    public async Task Start_UnknownModel_ThrowsModelNotFound()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);

        var error = await Assert.ThrowsAsync<AiTextGenerationException>(() =>
            runtime.Generation.StartAsync("@cf/nobody/nothing", new TextGenerationRequest { Prompt = "hi" }, CancellationToken.None));

        Assert.Equal(AiErrorKind.ModelNotFound, error.Kind);
    }

    [Fact]
    public async Task Start_CatalogModelNotConfigured_ThrowsModelNotInstalled()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);

        var error = await Assert.ThrowsAsync<AiTextGenerationException>(() =>
            runtime.Generation.StartAsync("@hf/codellama/codellama-7b-hf", new TextGenerationRequest { Prompt = "hi" }, CancellationToken.None));

        Assert.Equal(AiErrorKind.ModelNotInstalled, error.Kind);
    }

    [Fact]
    public async Task Start_BadInput_ThrowsBadInputBeforeQueueing()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);

        var error = await Assert.ThrowsAsync<AiTextGenerationException>(() =>
            runtime.Generation.StartAsync(Requests.Tiny, new TextGenerationRequest { Prompt = "a", TopK = 51 }, CancellationToken.None));

        Assert.Equal(AiErrorKind.BadInput, error.Kind);
        Assert.Equal("top_k: must be an integer from 1 to 50", error.Message);
        Assert.Equal(0, runtime.Pool.GetStatistics(Requests.Tiny)!.Sequences);
    }
}
