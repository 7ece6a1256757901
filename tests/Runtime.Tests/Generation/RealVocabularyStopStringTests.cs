using Ember.Runtime.Generation;

namespace Ember.Runtime.Tests.Generation;

/// <summary>
/// Stop strings on real Llama 2 pieces, cut from the model's own greedy output for a raw "Once upon a time" (4 prompt
/// tokens): " Template" "here" "ąc" " Budapest" "mo" "izzata" " shout" " quello" " unless" "cred" "фе" " wine" "µ" "会"
/// " evangel" "alpha". The text ends exactly before the stop string, nothing after it is streamed, and usage counts the
/// tokens up to the one that completed it.
/// </summary>
[Collection(RealVocabularyTestGroup.Name)]
public sealed class RealVocabularyStopStringTests(RealVocabularyModelFixture models)
{
    private const string Prompt = "Once upon a time";
    private const string Greedy16 = " Templatehereąc Budapestmoizzata shout quello unlesscredфе wineµ会 evangelalpha";

    private static readonly int[] GreedyTokens = [25663, 4150, 29280, 16185, 4346, 24558, 21272, 18316, 6521, 11944, 8765, 19006, 30263, 30437, 23077, 2312];

    /// <summary>Seed 12's first ten tokens at temperature 1: the byte token &lt;0xE3&gt; (id 230) starts a character " round" does not continue.</summary>
    private static readonly int[] Seed12Tokens = [10455, 9753, 29439, 11760, 19648, 27982, 25445, 13758, 230, 4513];

    private static Dictionary<string, string?> Scheduler(string scheduler) => new() { ["Ember:Models:@ember/tiny-llama:Scheduler"] = scheduler };

    private static TextGenerationRequest Greedy(params string[] stop) =>
        new() { Prompt = Prompt, Raw = true, MaxTokens = 16, Temperature = 0, Stop = stop.Length > 0 ? stop : null };

    private static TextGenerationRequest Seed12(int maxTokens, params string[] stop) =>
        new() { Prompt = Prompt, Raw = true, MaxTokens = maxTokens, Temperature = 1, Seed = 12, Stop = stop.Length > 0 ? stop : null };

    [Theory]
    [InlineData("Continuous")]
    [InlineData("Waves")]
    public async Task Run_NoStop_IsTheGoldenGreedyText(string scheduler)
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, Scheduler(scheduler));

        var (pieces, tokens, result) = await StreamedRun.CollectAsync(runtime, Greedy());

        Assert.Equal(Greedy16, result.Response);
        Assert.Equal(GreedyTokens, tokens);
        Assert.Equal((4, 16, FinishReason.Length), (result.Usage.PromptTokens, result.Usage.CompletionTokens, result.FinishReason));
        Assert.Equal(" Template", pieces[0]);
    }

    [Theory]
    [InlineData("Continuous", "ta sh", " Templatehereąc Budapestmoizza", 7)] // spans "izzata" and " shout"
    [InlineData("Continuous", "reąc Bud", " Templatehe", 4)] // spans "here", "ąc" and " Budapest"
    [InlineData("Continuous", "фе wi", " Templatehereąc Budapestmoizzata shout quello unlesscred", 12)] // spans "фе" and " wine"
    [InlineData("Continuous", "Budap", " Templatehereąc ", 4)] // ends inside " Budapest"
    [InlineData("Continuous", "empl", " T", 1)] // inside the first piece
    [InlineData("Continuous", "µ会", " Templatehereąc Budapestmoizzata shout quello unlesscredфе wine", 14)] // two one-character pieces
    [InlineData("Waves", "ta sh", " Templatehereąc Budapestmoizza", 7)]
    [InlineData("Waves", "Budap", " Templatehereąc ", 4)]
    public async Task Stream_StopOnRealPieces_CutsExactlyThereStreamsNothingAfterAndCountsTheTokens(string scheduler, string stop, string expected, int completionTokens)
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, Scheduler(scheduler));

        var (pieces, tokens, streamed) = await StreamedRun.CollectAsync(runtime, Greedy(stop));
        var whole = await runtime.Generation.RunAsync(Requests.Tiny, Greedy(stop), CancellationToken.None);

        Assert.Equal(Greedy16.IndexOf(stop, StringComparison.Ordinal), expected.Length);
        Assert.Equal(expected, string.Concat(pieces));
        Assert.Equal(expected, streamed.Response);
        Assert.Equal(expected, whole.Response);
        Assert.Equal(GreedyTokens[..completionTokens], tokens);
        Assert.Equal((4, completionTokens, FinishReason.Stop), (streamed.Usage.PromptTokens, streamed.Usage.CompletionTokens, streamed.FinishReason));
        Assert.Equal((4, completionTokens, FinishReason.Stop), (whole.Usage.PromptTokens, whole.Usage.CompletionTokens, whole.FinishReason));
    }

    [Fact]
    public async Task Stream_StopIsTheReplacementOfAByteTokenLeftPartial_CutsBeforeItAtTheTokenThatEndedTheCharacter()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, Scheduler("Continuous"));
        var (_, freeTokens, free) = await StreamedRun.CollectAsync(runtime, Seed12(24));

        var (pieces, tokens, stopped) = await StreamedRun.CollectAsync(runtime, Seed12(24, "\uFFFD r"));

        Assert.Equal(Seed12Tokens, freeTokens[..10]);
        Assert.StartsWith("kehr sanxellesThenResolverABASE Ши zá\uFFFD round sync", free.Response, StringComparison.Ordinal);
        Assert.Equal("kehr sanxellesThenResolverABASE Ши zá", stopped.Response);
        Assert.Equal(stopped.Response, string.Concat(pieces));
        Assert.Equal(Seed12Tokens, tokens);
        Assert.Equal((4, 10, FinishReason.Stop), (stopped.Usage.PromptTokens, stopped.Usage.CompletionTokens, stopped.FinishReason));
    }

    [Fact]
    public async Task Stream_EndsOnAPartialCharacter_ItsReplacementComesLastAsAPieceOfNoToken()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, Scheduler("Continuous"));

        var (pieces, tokens, result) = await StreamedRun.CollectAsync(runtime, Seed12(9));

        Assert.Equal("kehr sanxellesThenResolverABASE Ши zá\uFFFD", result.Response);
        Assert.Equal(result.Response, string.Concat(pieces));
        Assert.Equal(["", "\uFFFD"], pieces[^2..]);
        Assert.Equal(Seed12Tokens[..9], tokens);
        Assert.Equal((9, FinishReason.Length), (result.Usage.CompletionTokens, result.FinishReason));
    }

    [Fact]
    public async Task Stream_StopCompletedByTheFinalReplacement_CutsBeforeItAndEndsAsStop()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, Scheduler("Continuous"));

        var (pieces, tokens, result) = await StreamedRun.CollectAsync(runtime, Seed12(9, "á\uFFFD"));

        Assert.Equal("kehr sanxellesThenResolverABASE Ши z", result.Response);
        Assert.Equal(result.Response, string.Concat(pieces));
        Assert.Equal(Seed12Tokens[..9], tokens);
        Assert.Equal((9, FinishReason.Stop), (result.Usage.CompletionTokens, result.FinishReason));
    }
}
