using System.Text;
using Ember.Runtime.Generation;

namespace Ember.Runtime.Tests.Generation;

/// <summary>Log probabilities of generated tokens, read from real decoding on the tiny model.</summary>
[Collection(RuntimeTestGroup.Name)]
public sealed class LogprobsTests(TinyModelFixture models)
{
    private static TextGenerationRequest Greedy(int? topLogprobs) =>
        new() { Prompt = "Tell me about the sea", MaxTokens = 8, Temperature = 0, TopLogprobs = topLogprobs };

    private static async Task<(List<TextPiece> Pieces, TextGenerationResult Result)> RunAsync(IAiTextGeneration generation, TextGenerationRequest request)
    {
        var started = await generation.StartAsync(Requests.Tiny, request, CancellationToken.None);
        var pieces = new List<TextPiece>();
        await foreach (var piece in started.ReadPiecesAsync())
        {
            pieces.Add(piece);
        }

        return (pieces, await started.Completion);
    }

    [Fact]
    public async Task Run_GreedyTopThree_ChosenIsTheMostLikely()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);

        var (pieces, result) = await RunAsync(runtime.Generation, Greedy(3));

        Assert.Equal(8, pieces.Count);
        foreach (var piece in pieces)
        {
            var logprobs = Assert.IsType<TokenLogprobs>(piece.Logprobs);
            Assert.Equal(piece.TokenId, logprobs.Chosen.TokenId);
            Assert.Equal(3, logprobs.Top.Count);
            Assert.Equal(logprobs.Chosen, logprobs.Top[0]);
            Assert.True(logprobs.Top.Zip(logprobs.Top.Skip(1)).All(pair => pair.First.Logprob >= pair.Second.Logprob), "most likely first");
            Assert.All(logprobs.Top, entry => Assert.InRange(entry.Logprob, double.NegativeInfinity, 0));
            Assert.InRange(logprobs.Top.Sum(entry => Math.Exp(entry.Logprob)), 0, 1 + 1e-9);
            Assert.Equal(3, logprobs.Top.Select(entry => entry.TokenId).Distinct().Count());
            Assert.Equal(Encoding.UTF8.GetBytes(logprobs.Chosen.Token), logprobs.Chosen.Bytes);
        }

        Assert.Equal(result.Response, string.Concat(pieces.Select(piece => piece.Logprobs!.Chosen.Token)));
    }

    [Fact]
    public async Task Run_TopZeroOrNone_ChosenOnlyOrNothing()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);

        var (withChosen, _) = await RunAsync(runtime.Generation, Greedy(0));
        var (without, _) = await RunAsync(runtime.Generation, Greedy(null));

        Assert.All(withChosen, piece => Assert.Empty(piece.Logprobs!.Top));
        Assert.All(without, piece => Assert.Null(piece.Logprobs));
        Assert.Equal(without.Select(piece => piece.TokenId), withChosen.Select(piece => piece.TokenId));
    }

    [Fact]
    public async Task Run_Sampled_LogprobIsOfTheModelNotTheSampler()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);

        var (pieces, _) = await RunAsync(runtime.Generation, new TextGenerationRequest { Prompt = "Tell me about the sea", MaxTokens = 8, Temperature = 2, Seed = 7, TopLogprobs = 20 });

        foreach (var logprobs in pieces.Select(piece => piece.Logprobs!))
        {
            Assert.Equal(20, logprobs.Top.Count);
            var listed = logprobs.Top.FirstOrDefault(entry => entry.TokenId == logprobs.Chosen.TokenId);
            if (listed is not null)
            {
                Assert.Equal(listed.Logprob, logprobs.Chosen.Logprob);
            }
        }
    }

    [Fact]
    public async Task Start_TopAboveTwenty_IsBadInput()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);

        var error = await Assert.ThrowsAsync<AiTextGenerationException>(() => runtime.Generation.StartAsync(Requests.Tiny, Greedy(21), CancellationToken.None));

        Assert.Equal(AiErrorKind.BadInput, error.Kind);
        Assert.Equal("top_logprobs: must be an integer from 0 to 20", error.Message);
    }

    [Fact]
    public async Task Start_OnWaves_RefusesLogprobs()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, new Dictionary<string, string?> { ["Ember:Models:@ember/tiny-llama:Scheduler"] = "Waves" });

        var error = await Assert.ThrowsAsync<AiTextGenerationException>(() => runtime.Generation.StartAsync(Requests.Tiny, Greedy(1), CancellationToken.None));

        Assert.Equal(AiErrorKind.BadInput, error.Kind);
        Assert.Equal("logprobs: log probabilities are not available for @ember/tiny-llama: they need the continuous scheduler, and it runs on Waves", error.Message);
    }
}
