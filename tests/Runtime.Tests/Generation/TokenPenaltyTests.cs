using Ember.Runtime.Generation;

namespace Ember.Runtime.Tests.Generation;

[Collection(RuntimeTestGroup.Name)]
public sealed class TokenPenaltyTests(TinyModelFixture models)
{
    // Greedy decoding of this prompt repeats tokens on the tiny model (golden prompt "Hello, how are you today?").
    private const string Repetitive = "Hello, how are you today?";

    private static TextGenerationRequest Greedy(double? frequency = null, double? presence = null) =>
        new() { Prompt = Repetitive, Raw = true, MaxTokens = 32, Temperature = 0, FrequencyPenalty = frequency, PresencePenalty = presence };

    private static async Task<int[]> TokensAsync(IAiTextGeneration generation, TextGenerationRequest request)
    {
        var started = await generation.StartAsync(Requests.Tiny, request, CancellationToken.None);
        var tokens = new List<int>();
        await foreach (var piece in started.ReadPiecesAsync())
        {
            tokens.Add(piece.TokenId);
        }

        return [.. tokens];
    }

    [Fact]
    public async Task Run_PresencePenalty_RepeatsFewerTokensThanWithout()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);

        var plain = await TokensAsync(runtime.Generation, Greedy());
        var zero = await TokensAsync(runtime.Generation, Greedy(0, 0));
        var penalised = await TokensAsync(runtime.Generation, Greedy(presence: 2, frequency: 2));

        Assert.True(plain.Distinct().Count() < plain.Length, "the unpenalised greedy run repeats a token");
        Assert.Equal(plain, zero);
        Assert.NotEqual(plain, penalised);
        Assert.True(penalised.Distinct().Count() > plain.Distinct().Count(), $"penalised: {penalised.Distinct().Count()} distinct, plain: {plain.Distinct().Count()}");
    }

    [Fact]
    public async Task Start_PenaltyOnWaveScheduler_ThrowsBadInput()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, new Dictionary<string, string?> { ["Ember:Models:@ember/tiny-llama:Scheduler"] = "Waves" });

        var error = await Assert.ThrowsAsync<AiTextGenerationException>(() => runtime.Generation.StartAsync(Requests.Tiny, Greedy(presence: 1), CancellationToken.None));

        Assert.Equal(AiErrorKind.BadInput, error.Kind);
        Assert.Contains("need the continuous scheduler", error.Message, StringComparison.Ordinal);
    }
}
