using System.Text.Json;
using Ember.Runtime.Generation;

namespace Ember.Runtime.Tests.Structured;

/// <summary>
/// Structured output end to end on the real tiny model, whose weights are random: every response that ends as a whole
/// value (<see cref="FinishReason.Stop"/>) parses and validates against its schema, over 20 schemas, seeds and
/// temperatures; a constrained row in a batch answers as alone, and the unconstrained rows beside it are unchanged.
/// </summary>
[Collection(RuntimeTestGroup.Name)]
public sealed class ConstrainedDecodingTests(TinyModelFixture models)
{
    private const int MaxTokens = 160;

    private static TextGenerationRequest Constrained(string schema, double temperature, long seed) => new()
    {
        Prompt = "Answer in JSON.",
        MaxTokens = MaxTokens,
        Temperature = temperature,
        Seed = seed,
        ResponseFormat = new ResponseFormat(ResponseFormatKind.JsonSchema, JsonDocument.Parse(schema).RootElement.Clone()),
    };

    [Fact]
    public async Task Run_TwentySchemasTenRunsEach_EveryWholeValueParsesAndValidates()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, new Dictionary<string, string?> { ["Ember:Models:@ember/tiny-llama:SequenceCap"] = "8" });
        var schemas = JsonGrammarFromSchemaTests.Schemas;
        var runs = schemas.SelectMany(schema => Enumerable.Range(1, 10).Select(seed => (Schema: schema, Request: Constrained(schema, seed == 1 ? 0 : 0.5 + (seed % 3 * 0.4), seed)))).ToArray();

        var results = await Task.WhenAll(runs.Select(run => runtime.Generation.RunAsync(Requests.Tiny, run.Request, CancellationToken.None)));

        var whole = 0;
        for (var i = 0; i < runs.Length; i++)
        {
            var result = results[i];
            if (result.FinishReason != FinishReason.Stop)
            {
                Assert.Equal(FinishReason.Length, result.FinishReason);
                Assert.Equal(MaxTokens, result.Usage.CompletionTokens);
                continue;
            }

            whole++;
            using var schema = JsonDocument.Parse(runs[i].Schema);
            using var value = JsonDocument.Parse(result.Response);
            Assert.True(SubsetValidator.IsValid(schema.RootElement, value.RootElement), $"{runs[i].Schema} → {result.Response}");
        }

        Assert.True(whole >= 150, $"{whole} of {runs.Length} ended as whole values");
    }

    [Fact]
    public async Task Run_ConstrainedGreedyRowInABatch_AnswersAsAloneAndLeavesTheOthersUnchanged()
    {
        var schema = JsonGrammarFromSchemaTests.Schemas[0];
        var constrained = Constrained(schema, 0, 1) with { MaxTokens = 48 };
        var free = new TextGenerationRequest { Prompt = "Tell me about the sea", MaxTokens = 48, Temperature = 0 };
        await using var runtime = await RuntimeHarness.StartAsync(models, new Dictionary<string, string?> { ["Ember:Models:@ember/tiny-llama:SequenceCap"] = "4" });
        var alone = await runtime.Generation.RunAsync(Requests.Tiny, constrained, CancellationToken.None);
        var freeAlone = await runtime.Generation.RunAsync(Requests.Tiny, free, CancellationToken.None);

        var together = await Task.WhenAll(
            runtime.Generation.RunAsync(Requests.Tiny, free, CancellationToken.None),
            runtime.Generation.RunAsync(Requests.Tiny, constrained, CancellationToken.None),
            runtime.Generation.RunAsync(Requests.Tiny, free with { Prompt = "Tell me about the sea" }, CancellationToken.None));

        Assert.Equal(alone.Response, together[1].Response);
        Assert.Equal(freeAlone.Response, together[0].Response);
        Assert.Equal(freeAlone.Response, together[2].Response);
        Assert.True(runtime.Pool.GetStatistics(Requests.Tiny)!.LargestBatch > 1, "the rows were batched");
    }

    [Fact]
    public async Task Run_JsonObject_EveryWholeAnswerIsAnObject()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);
        var request = new TextGenerationRequest { Prompt = "Answer in JSON.", MaxTokens = MaxTokens, Temperature = 1, ResponseFormat = new ResponseFormat(ResponseFormatKind.JsonObject) };

        var results = await Task.WhenAll(Enumerable.Range(1, 8).Select(seed => runtime.Generation.RunAsync(Requests.Tiny, request with { Seed = seed }, CancellationToken.None)));

        foreach (var result in results.Where(result => result.FinishReason == FinishReason.Stop))
        {
            using var value = JsonDocument.Parse(result.Response);
            Assert.Equal(JsonValueKind.Object, value.RootElement.ValueKind);
        }

        Assert.Contains(results, result => result.FinishReason == FinishReason.Stop);
    }

    [Theory]
    [InlineData("""{"type":"string","minLength":3}""", "response_format.json_schema: schema (root): 'minLength' is not supported")]
    [InlineData("""{"type":"object","properties":{"age":{"type":"integer","minimum":0}},"required":["age"]}""", "response_format.json_schema: schema /properties/age: 'minimum' is not supported")]
    public async Task Start_SchemaOutsideTheSubset_ThrowsBadInputNamingTheKeyword(string schema, string message)
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);

        var error = await Assert.ThrowsAsync<AiTextGenerationException>(() => runtime.Generation.StartAsync(Requests.Tiny, Constrained(schema, 0, 1), CancellationToken.None));

        Assert.Equal((AiErrorKind.BadInput, message), (error.Kind, error.Message));
    }

    [Fact]
    public async Task Start_OnWaves_ThrowsBadInput()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, new Dictionary<string, string?> { ["Ember:Models:@ember/tiny-llama:Scheduler"] = "Waves" });

        var error = await Assert.ThrowsAsync<AiTextGenerationException>(() => runtime.Generation.StartAsync(Requests.Tiny, Constrained("""{"type":"boolean"}""", 0, 1), CancellationToken.None));

        Assert.Equal(
            (AiErrorKind.BadInput, "response_format: structured output is not available for @ember/tiny-llama: constrained decoding needs the continuous scheduler, and it runs on Waves"),
            (error.Kind, error.Message));
    }
}
