using System.Text.Json;
using Ember.Models.Chat;
using Ember.Runtime.Generation;

namespace Ember.Runtime.Tests.Structured;

/// <summary>Rows with tools in a continuous batch, on the real tiny model: the rows beside them generate the same tokens as alone, and so do they.</summary>
[Collection(RuntimeTestGroup.Name)]
public sealed class ToolCallBatchTests(TinyModelFixture models)
{
    private static readonly ChatTool Weather = new("get_weather", "The weather in a city.", JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string","enum":["Paris","Rome"]}},"required":["city"],"additionalProperties":false}""").RootElement.Clone());

    private static TextGenerationRequest WithTools(ToolChoice choice) => new()
    {
        Messages = [new(ChatRole.User, "Weather in Paris?")],
        Tools = [Weather],
        ToolChoice = choice,
        ParallelToolCalls = false,
        MaxTokens = 80,
        Temperature = 0,
    };

    [Fact]
    public async Task Run_RowsWithToolsInABatch_LeaveTheOtherRowsTokensUnchanged()
    {
        var free = new TextGenerationRequest { Messages = [new(ChatRole.User, "Tell me about the sea")], MaxTokens = 64, Temperature = 0 };
        TextGenerationRequest[] rows = [free, WithTools(ToolChoice.Required), free with { Messages = [new(ChatRole.User, "Weather in Paris?")] }, WithTools(ToolChoice.Auto)];
        await using var runtime = await RuntimeHarness.StartAsync(models, new Dictionary<string, string?> { ["Ember:Models:@ember/tiny-llama:SequenceCap"] = "4" });
        var alone = new List<int[]>();
        foreach (var row in rows)
        {
            alone.Add(await TokensAsync(runtime, row));
        }

        var together = await Task.WhenAll(rows.Select(row => TokensAsync(runtime, row)));

        Assert.Equal(alone, together);
        Assert.True(runtime.Pool.GetStatistics(Requests.Tiny)!.LargestBatch > 1, "the rows were batched");
        // The required row is a whole call; the others ran to max_tokens.
        var call = await runtime.Generation.RunAsync(Requests.Tiny, rows[1], CancellationToken.None);
        Assert.Equal((FinishReason.Stop, "\n\n[TOOL_CALLS][{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}]"), (call.FinishReason, call.Response));
        Assert.Equal([64, 64, 80], new[] { alone[0].Length, alone[2].Length, alone[3].Length });
    }

    private static async Task<int[]> TokensAsync(RuntimeHarness runtime, TextGenerationRequest request)
    {
        var generation = await runtime.Generation.StartAsync(Requests.Tiny, request, CancellationToken.None);
        var tokens = new List<int>();
        await foreach (var piece in generation.ReadPiecesAsync())
        {
            if (piece.TokenId >= 0)
            {
                tokens.Add(piece.TokenId);
            }
        }

        return [.. tokens];
    }
}
