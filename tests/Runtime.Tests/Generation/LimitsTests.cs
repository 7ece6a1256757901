using Ember.Runtime.Generation;

namespace Ember.Runtime.Tests.Generation;

[Collection(RuntimeTestGroup.Name)]
public sealed class LimitsTests(TinyModelFixture models)
{
    private const string Llama2Int8 = "@cf/meta/llama-2-7b-chat-int8";

    private static Dictionary<string, string?> CatalogIdOnTinyModel(TinyModelFixture models) => new()
    {
        [$"Ember:Models:{Llama2Int8}:Folder"] = models.Folder("int8"),
        [$"Ember:Models:{Llama2Int8}:Variant"] = "Int8",
    };

    [Fact]
    public async Task Start_MaxTokensAboveSequenceLimit_ThrowsLimitExceededNamingIt()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, CatalogIdOnTinyModel(models));

        var error = await Assert.ThrowsAsync<AiTextGenerationException>(() =>
            runtime.Generation.StartAsync(Llama2Int8, new TextGenerationRequest { Prompt = "hi", MaxTokens = 1801 }, CancellationToken.None));

        Assert.Equal(AiErrorKind.LimitExceeded, error.Kind);
        Assert.Equal($"Limit exceeded: max_tokens 1801 exceeds the sequence tokens limit of {Llama2Int8}, 1800.", error.Message);
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
        runtime.Pool.TryGet(Llama2Int8, out var served);

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

    public static TheoryData<TextGenerationRequest, string> BadRequests => new()
    {
        { new TextGenerationRequest(), "exactly one of 'prompt' and 'messages'" },
        { new TextGenerationRequest { Prompt = "a", Messages = [new(Ember.Models.Chat.ChatRole.User, "b")] }, "exactly one of 'prompt' and 'messages'" },
        { new TextGenerationRequest { Prompt = string.Empty }, "prompt:" },
        { new TextGenerationRequest { Prompt = "a\0b" }, "prompt: must not contain U+0000" },
        { new TextGenerationRequest { Messages = [new(Ember.Models.Chat.ChatRole.User, "a\0")] }, "messages[0].content: must not contain U+0000" },
        { new TextGenerationRequest { Messages = [] }, "messages:" },
        { new TextGenerationRequest { Prompt = "a", MaxTokens = 0 }, "max_tokens:" },
        { new TextGenerationRequest { Prompt = "a", Temperature = 5.1 }, "temperature:" },
        { new TextGenerationRequest { Prompt = "a", TopK = 51 }, "top_k:" },
        { new TextGenerationRequest { Prompt = "a", TopP = 0 }, "top_p:" },
        { new TextGenerationRequest { Prompt = "a", Seed = 0 }, "seed:" },
        { new TextGenerationRequest { Prompt = "a", RepetitionPenalty = 3 }, "repetition_penalty:" },
        { new TextGenerationRequest { Prompt = "a", FrequencyPenalty = 2.5 }, "frequency_penalty:" },
        { new TextGenerationRequest { Prompt = "a", PresencePenalty = -3 }, "presence_penalty:" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Start_BadInput_ThrowsBadInputNamingTheField(TextGenerationRequest request, string expected)
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);

        var error = await Assert.ThrowsAsync<AiTextGenerationException>(() => runtime.Generation.StartAsync(Requests.Tiny, request, CancellationToken.None));

        Assert.Equal(AiErrorKind.BadInput, error.Kind);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
