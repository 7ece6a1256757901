using System.Text.Json;
using Ember.Models.Chat;
using Ember.Runtime.Generation;

namespace Ember.Runtime.Tests.Structured;

/// <summary>
/// Tool calls end to end on the real Llama 2 vocabulary: the random model writes the marker and the calls under the
/// constraint, and every call the reader reports names a tool and has arguments valid for that tool's parameters,
/// greedy and sampled.
/// </summary>
[Collection(RealVocabularyTestGroup.Name)]
public sealed class RealVocabularyToolCallTests(RealVocabularyModelFixture models)
{
    private const string Weather = """{"type":"object","properties":{"city":{"type":"string"},"unit":{"enum":["c","f"]},"days":{"type":"integer"}},"required":["city","unit"],"additionalProperties":false}""";
    private const string Search = """{"type":"object","properties":{"query":{"type":"string"},"tags":{"type":"array","items":{"type":"string"}},"exact":{"type":"boolean"}},"required":["query"]}""";

    private static readonly ChatTool[] Tools =
    [
        new("get_weather", "The weather in a city.", JsonDocument.Parse(Weather).RootElement.Clone()),
        new("search", "Searches the web.", JsonDocument.Parse(Search).RootElement.Clone()),
        new("now", "The time now.", null),
    ];

    private static TextGenerationRequest Calling(long seed, bool sampled, ToolChoice choice, bool parallel) => new()
    {
        Messages = [new ChatMessage(ChatRole.User, "What is the weather in Paris?")],
        Tools = Tools,
        ToolChoice = choice,
        ParallelToolCalls = parallel,
        MaxTokens = 400,
        Temperature = sampled ? 1 : 0,
        Seed = seed,
    };

    [Fact]
    public async Task Run_TwoHundredRequiredCalls_GreedyAndSampled_EveryReportedCallValidatesAgainstItsTool()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, new Dictionary<string, string?> { ["Ember:Models:@ember/tiny-llama:SequenceCap"] = "8" });
        ToolChoice[] choices = [ToolChoice.Required, ToolChoice.Function("get_weather"), ToolChoice.Function("search"), ToolChoice.Function("now")];
        var requests = Enumerable.Range(1, 200).Select(i => Calling(i, sampled: i % 2 == 0, choices[i % choices.Length], parallel: i % 3 != 0)).ToArray();

        var results = await Task.WhenAll(requests.Select(request => runtime.Generation.RunAsync(Requests.Tiny, request, CancellationToken.None)));

        int reported = 0;
        for (int i = 0; i < results.Length; i++)
        {
            var (text, calls) = ToolCallReader.ReadAll(results[i].Response, requests[i].ToolChoice!);
            Assert.Equal(string.Empty, text);
            if (results[i].FinishReason == FinishReason.Length)
            {
                Assert.Empty(calls);
                continue;
            }

            Assert.Equal(FinishReason.Stop, results[i].FinishReason);
            Assert.NotEmpty(calls);
            Assert.True(requests[i].ParallelToolCalls || calls.Count == 1, results[i].Response);
            foreach (var call in calls)
            {
                var tool = Assert.Single(Tools, tool => tool.Name == call.Name);
                Assert.True(requests[i].ToolChoice!.Mode != ToolChoiceMode.Function || call.Name == requests[i].ToolChoice!.FunctionName);
                using var arguments = JsonDocument.Parse(call.Arguments);
                Assert.True(tool.Parameters is not { } schema ? arguments.RootElement.GetRawText() == "{}" : SubsetValidator.IsValid(schema, arguments.RootElement), call.Arguments);
                Assert.StartsWith("call_", call.Id, StringComparison.Ordinal);
                reported++;
            }
        }

        // The rest ran into max_tokens inside a long string argument: finish length, no call.
        Assert.True(reported >= 80, $"{reported} calls reported");
    }

    [Fact]
    public async Task Run_Auto_SeedsGiveTextOrValidCallsAndTheTextIsTheWholeAnswer()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, new Dictionary<string, string?> { ["Ember:Models:@ember/tiny-llama:SequenceCap"] = "8" });

        var results = await Task.WhenAll(Enumerable.Range(1, 16).Select(seed => runtime.Generation.RunAsync(Requests.Tiny, Calling(seed, sampled: true, ToolChoice.Auto, parallel: true) with { MaxTokens = 24 }, CancellationToken.None)));

        foreach (var result in results)
        {
            var (text, calls) = ToolCallReader.ReadAll(result.Response, ToolChoice.Auto);
            Assert.Empty(calls);
            Assert.Equal(result.Response, text);
        }
    }

    [Fact]
    public async Task Run_RequiredCutByMaxTokens_FinishesLengthWithNoCall()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);

        var result = await runtime.Generation.RunAsync(Requests.Tiny, Calling(7, sampled: false, ToolChoice.Function("search"), parallel: false) with { MaxTokens = 6 }, CancellationToken.None);

        Assert.Equal(FinishReason.Length, result.FinishReason);
        Assert.Equal("  [TOO", result.Response);
        var (text, calls) = ToolCallReader.ReadAll(result.Response, ToolChoice.Function("search"));
        Assert.Equal((string.Empty, 0), (text, calls.Count));
    }
}
