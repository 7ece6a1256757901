using Ember.Runtime.Generation;

namespace Ember.Runtime.Tests.Generation;

/// <summary>
/// Stop strings applied by the runtime, on both schedulers, with the real tiny model: the text ends before the first
/// stop string found in the decoded text (across tokens), the sequence ends there as <see cref="FinishReason.Stop"/>,
/// usage counts the tokens generated up to the one that completed it, and text that could start a stop string is held
/// back only until a later token decides.
/// </summary>
[Collection(RuntimeTestGroup.Name)]
public sealed class StopStringTests(TinyModelFixture models)
{
    private const string Prompt = "tell me about the sea";

    private static Dictionary<string, string?> Scheduler(string scheduler) => new() { ["Ember:Models:@ember/tiny-llama:Scheduler"] = scheduler };

    private static TextGenerationRequest Greedy(int maxTokens, params string[] stop) =>
        new() { Prompt = Prompt, MaxTokens = maxTokens, Temperature = 0, Stop = stop.Length > 0 ? stop : null };

    [Theory]
    [InlineData("Continuous")]
    [InlineData("Waves")]
    public async Task Run_StopSpanningTwoTokens_CutsBeforeItEndsAsStopAndCountsTheTokensGenerated(string scheduler)
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, Scheduler(scheduler));
        var (free, pieces) = await RunAsync(runtime, Greedy(24));
        // A stop string made of the end of the 4th token's text and the start of the 5th's.
        var before = string.Concat(pieces.Take(3));
        var stop = pieces[3][^2..] + pieces[4][..2];
        var at = free.Response.IndexOf(stop, StringComparison.Ordinal);

        var (stopped, _) = await RunAsync(runtime, Greedy(24, stop));

        Assert.Equal(free.Response[..at], stopped.Response);
        Assert.Equal(FinishReason.Stop, stopped.FinishReason);
        Assert.Equal(5, stopped.Usage.CompletionTokens);
        Assert.True(at >= before.Length, "the stop string starts inside the 4th token");
    }

    [Theory]
    [InlineData("Continuous")]
    [InlineData("Waves")]
    public async Task Run_StopAtTheFirstToken_AnswersNothing(string scheduler)
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, Scheduler(scheduler));
        var (_, pieces) = await RunAsync(runtime, Greedy(8));

        var (stopped, _) = await RunAsync(runtime, Greedy(8, pieces[0]));

        Assert.Equal(string.Empty, stopped.Response);
        Assert.Equal((FinishReason.Stop, 1), (stopped.FinishReason, stopped.Usage.CompletionTokens));
    }

    [Fact]
    public async Task Run_SeveralAndOverlappingStops_CutAtTheEarliestMatch()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, Scheduler("Continuous"));
        var (free, _) = await RunAsync(runtime, Greedy(24));
        var text = free.Response;
        // A later stop, an earlier one, and one that overlaps the earlier one's start: the earliest position wins.
        string[] stops = [text.Substring(text.Length / 2, 4), text.Substring(text.Length / 4, 5), text.Substring((text.Length / 4) + 2, 6)];
        var earliest = stops.Min(stop => text.IndexOf(stop, StringComparison.Ordinal));

        var (stopped, _) = await RunAsync(runtime, Greedy(24, stops));

        Assert.Equal(text[..earliest], stopped.Response);
        Assert.Equal(FinishReason.Stop, stopped.FinishReason);
    }

    [Fact]
    public async Task Run_PossibleStopNeverCompleted_HeldTextComesOutWhole()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, Scheduler("Continuous"));
        var (free, pieces) = await RunAsync(runtime, Greedy(12));
        // The last token's text followed by text that never comes: held back to the end, then released.
        var (held, heldPieces) = await RunAsync(runtime, Greedy(12, pieces[^1] + "\u00e9\u00e9never"));

        Assert.Equal(free.Response, held.Response);
        Assert.Equal(FinishReason.Length, held.FinishReason);
        Assert.Equal(12, held.Usage.CompletionTokens);
        Assert.Equal(free.Response, string.Concat(heldPieces));
    }

    [Fact]
    public async Task Run_Stop_FreesTheSlotAtTheStepThatCompletesIt()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, Scheduler("Continuous"));
        var (_, pieces) = await RunAsync(runtime, Greedy(16));

        var (stopped, _) = await RunAsync(runtime, Greedy(4000, pieces[3].Trim()));

        Assert.Equal(FinishReason.Stop, stopped.FinishReason);
        Assert.InRange(stopped.Usage.CompletionTokens, 1, 4);
        Assert.Equal(0, runtime.Pool.GetStatistics(Requests.Tiny)!.BatchSizes.Where(size => size.Key > 1).Sum(size => size.Value));
        Assert.True(runtime.Pool.GetStatistics(Requests.Tiny)!.Batches < 40, "the sequence did not run on to its max_tokens");
    }

    private static async Task<(TextGenerationResult Result, List<string> Pieces)> RunAsync(RuntimeHarness runtime, TextGenerationRequest request)
    {
        var generation = await runtime.Generation.StartAsync(Requests.Tiny, request, CancellationToken.None);
        var pieces = new List<string>();
        await foreach (var piece in generation.ReadPiecesAsync())
        {
            pieces.Add(piece.Text);
        }

        return (await generation.Completion, pieces);
    }
}
