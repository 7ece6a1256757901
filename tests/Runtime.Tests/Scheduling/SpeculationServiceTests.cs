using System.Text.Json;
using Ember.Runtime.Generation;

namespace Ember.Runtime.Tests.Scheduling;

/// <summary>
/// N-gram speculation end to end on the tiny model: greedy answers, their log probabilities, stop strings and structured
/// output are those of the same requests without speculation, while the random model's greedy loops get drafts kept
/// (its 1,024 words repeat within 200 tokens; the tiny shape around the real Llama 2 tokenizer walks over 32,000 pieces
/// and repeats none in that span). Log probabilities agree to 1e-4 in fp32, not to the last bit: the entries of
/// kept drafts come from a row of several tokens, which the CPU kernels round otherwise than a row of one (1e-4 at most
/// in one step, DecoderSessionVerificationTests). The int8 variant is not compared here: its MatMulNBits quantizes
/// activations to int8, so what shares a step can move one a whole step, and its greedy text depends on the batch with
/// or without speculation (a prompt joining a mixed step at the 10th token changed an answer from the 41st on, seen).
/// </summary>
[Collection(RuntimeTestGroup.Name)]
public sealed class SpeculationServiceTests(TinyModelFixture models)
{
    private const string Model = "Ember:Models:@ember/tiny-llama:";

    private static readonly string[] Prompts =
    [
        "The old lighthouse keeper climbed the stairs every evening",
        "Once upon a time",
        "Write a list of the planets: Mercury, Venus, Earth, Mars,",
        "def fibonacci(n):\n    if n < 2:\n        return n\n",
    ];

    private static Dictionary<string, string?> Settings(int speculativeTokens) => new()
    {
        [Model + "SequenceCap"] = "4",
        [Model + "SpeculativeTokens"] = speculativeTokens.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    [Theory]
    [InlineData("fp32")]
    [InlineData("fp16")]
    public async Task Run_GreedyRequestsTogether_SameTokensAndLogprobsAsWithoutSpeculation(string variant)
    {
        var plain = await RunAllAsync(0, prompt => Raw(prompt, 200), variant);
        await using var runtime = await RuntimeHarness.StartAsync(models, Settings(4), variant);

        var speculated = await Task.WhenAll(Prompts.Select(prompt => PrefixCachingTests.RunAsync(runtime, Raw(prompt, 200))));

        for (var i = 0; i < Prompts.Length; i++)
        {
            Assert.Equal(plain[i].Tokens, speculated[i].Tokens);
            Assert.All(plain[i].Logprobs.Zip(speculated[i].Logprobs), pair => Assert.Equal(pair.First, pair.Second, variant == "fp16" ? 1e-2 : 1e-4));
            Assert.Equal(plain[i].Result, speculated[i].Result);
        }

        var statistics = runtime.Pool.GetStatistics(Requests.Tiny)!;
        Assert.Contains(runtime.Logs.GetSnapshot(), record => record.Message.Contains("n-gram speculation of up to 4 tokens", StringComparison.Ordinal));
        Assert.True(statistics.AcceptedTokens > 100, $"kept {statistics.AcceptedTokens} of {statistics.DraftedTokens} drafted");
        Assert.Contains(runtime.Logs.GetSnapshot(), record => record.Message.Contains("n-gram speculation of up to 4 tokens", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_StopStringInsideAKeptDraft_EndsWhereItEndsWithoutSpeculation()
    {
        // " each number each number": the second prompt's answer loops there, so the stop string ends a kept draft.
        var whole = (await RunAllAsync(0, prompt => Raw(prompt, 200)))[1].Result.Response;
        const string Stop = "number each number each number e";
        Assert.Contains(Stop, whole, StringComparison.Ordinal);
        var plain = await RunAllAsync(0, prompt => Raw(prompt, 200) with { Stop = [Stop] });
        await using var runtime = await RuntimeHarness.StartAsync(models, Settings(8));

        var speculated = await PrefixCachingTests.RunAsync(runtime, Raw(Prompts[1], 200) with { Stop = [Stop] });

        Assert.Equal(FinishReason.Stop, plain[1].Result.FinishReason);
        Assert.True(runtime.Pool.GetStatistics(Requests.Tiny)!.AcceptedTokens > 0);
        Assert.Equal(plain[1].Result, speculated.Result);
        Assert.Equal(plain[1].Tokens, speculated.Tokens);
    }

    [Fact]
    public async Task Run_JsonSchema_SameValueAsWithoutSpeculation()
    {
        const string Schema = """{"type":"object","properties":{"name":{"type":"string"},"tags":{"type":"array","items":{"type":"string"}}},"required":["name","tags"]}""";
        TextGenerationRequest Constrained(string prompt) => Raw(prompt, 96) with
        {
            ResponseFormat = new ResponseFormat(ResponseFormatKind.JsonSchema, JsonDocument.Parse(Schema).RootElement.Clone()),
        };
        var plain = await RunAllAsync(0, Constrained);
        await using var runtime = await RuntimeHarness.StartAsync(models, Settings(4));

        var speculated = await Task.WhenAll(Prompts.Select(prompt => PrefixCachingTests.RunAsync(runtime, Constrained(prompt))));

        for (var i = 0; i < Prompts.Length; i++)
        {
            Assert.Equal(plain[i].Result, speculated[i].Result);
            Assert.Equal(plain[i].Tokens, speculated[i].Tokens);
        }
    }

    [Theory]
    [InlineData("17", null, "Ember:Models:@ember/tiny-llama:SpeculativeTokens")]
    [InlineData("-1", null, "Ember:Models:@ember/tiny-llama:SpeculativeTokens")]
    [InlineData("4", "Waves", "Ember:Models:@ember/tiny-llama:SpeculativeTokens: speculation verifies drafts inside mixed steps")]
    [InlineData("4", "MixedOff", "Ember:Models:@ember/tiny-llama:SpeculativeTokens: speculation verifies drafts inside mixed steps")]
    public async Task Start_InvalidSpeculation_RefusesNamingTheKey(string tokens, string? other, string expected)
    {
        var settings = Settings(0);
        settings[Model + "SpeculativeTokens"] = tokens;
        if (other == "Waves")
        {
            settings[Model + "Scheduler"] = "Waves";
        }
        else if (other == "MixedOff")
        {
            settings[Model + "MixedSteps"] = "false";
        }

        var error = await Assert.ThrowsAnyAsync<Exception>(() => RuntimeHarness.StartAsync(models, settings));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private static TextGenerationRequest Raw(string prompt, int maxTokens) => new() { Prompt = prompt, Raw = true, MaxTokens = maxTokens, Temperature = 0, TopLogprobs = 0 };

    private async Task<(TextGenerationResult Result, List<int> Tokens, List<double> Logprobs)[]> RunAllAsync(int speculativeTokens, Func<string, TextGenerationRequest> request, string variant = "int8")
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, Settings(speculativeTokens), variant);
        return await Task.WhenAll(Prompts.Select(prompt => PrefixCachingTests.RunAsync(runtime, request(prompt))));
    }
}
