using System.Diagnostics;
using System.Text;
using Ember.Runtime.Generation;
using Microsoft.ML.OnnxRuntimeGenAI;
using Xunit.Abstractions;

namespace Ember.Runtime.Tests.Generation;

/// <summary>
/// Streaming on the real Llama 2 vocabulary: the random weights pick any of its 32,000 pieces, byte tokens included, so
/// characters split across tokens and invalid UTF-8 come often. The text, streamed or whole, is the UTF-8 decoding of the
/// generated tokens' bytes, an ill-formed part replaced by U+FFFD (as Python's <c>errors="replace"</c>), and no piece
/// holds half a character.
/// </summary>
[Collection(RealVocabularyTestGroup.Name)]
public sealed class RealVocabularyStreamingTests(RealVocabularyModelFixture models, ITestOutputHelper output)
{
    private const int Tokens = 24;

    [Theory]
    [InlineData("Continuous", 1000)]
    [InlineData("Waves", 400)]
    public async Task Stream_SeededRuns_PiecesJoinToTheWholeTextAndBreakNoCharacter(string scheduler, int runs)
    {
        var clock = Stopwatch.StartNew();
        await using var runtime = await RuntimeHarness.StartAsync(models, new Dictionary<string, string?>
        {
            ["Ember:Models:@ember/tiny-llama:Scheduler"] = scheduler,
            ["Ember:Models:@ember/tiny-llama:SequenceCap"] = "64",
            ["Ember:Models:@ember/tiny-llama:QueueBound"] = "4096",
            // Each seed runs twice, streamed and whole, batched with different rows: the texts are equal only where a row's
            // logits do not depend on its step's other rows, which mixed steps do not promise (docs/scheduling.md).
            ["Ember:Models:@ember/tiny-llama:MixedSteps"] = "false",
        });
        var seeds = Enumerable.Range(1, runs).Select(seed => (long)seed).ToArray();

        var streaming = Task.WhenAll(seeds.Select(seed => StreamedRun.CollectAsync(runtime, Request(seed))));
        var running = Task.WhenAll(seeds.Select(seed => runtime.Generation.RunAsync(Requests.Tiny, Request(seed), CancellationToken.None)));
        var (streamed, whole) = (await streaming, await running);
        output.WriteLine($"generated in {clock.Elapsed.TotalSeconds:F1} s");

        using var ortTokenizer = new Tokenizer(models.Folder("int8"));
        var (broken, mismatched, withBytes, invalid, held, failures) = (0, 0, 0, 0, 0, new List<string>());
        for (var run = 0; run < runs; run++)
        {
            var (pieces, tokens, result) = streamed[run];
            var text = string.Concat(pieces);
            var bytes = models.BytesOf(tokens);
            var expected = Encoding.UTF8.GetString(bytes);
            var valid = StrictUtf8.IsValid(bytes);
            broken += pieces.Count(piece => !IsWhole(piece));
            if (text != whole[run].Response || text != result.Response || text != expected
                || (valid && text != ortTokenizer.Decode(tokens.ToArray())))
            {
                mismatched++;
                failures.Add($"seed {seeds[run]}: tokens [{string.Join(',', tokens)}] streamed '{text}' whole '{whole[run].Response}' expected '{expected}'");
            }

            withBytes += tokens.Any(token => token is >= 3 and < 3 + 256) ? 1 : 0;
            invalid += valid ? 0 : 1;
            held += pieces.Count(piece => piece.Length == 0);
            Assert.Equal((Tokens, Tokens, FinishReason.Length), (tokens.Count, result.Usage.CompletionTokens, result.FinishReason));
        }

        output.WriteLine($"{scheduler}: {runs} runs of {Tokens} tokens in {clock.Elapsed.TotalSeconds:F1} s: {withBytes} with byte tokens, {invalid} with invalid UTF-8, {held} pieces held for a partial character; {broken} broken pieces, {mismatched} mismatches");
        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(5)));
        Assert.Equal(0, broken);
        Assert.True(withBytes >= runs / 20 && invalid >= runs / 50 && held >= runs / 50, $"too few byte tokens to test anything: {withBytes} runs with bytes, {invalid} invalid, {held} held");
    }

    [Theory]
    [InlineData("Continuous")]
    [InlineData("Waves")]
    public async Task Stream_FirstTokenIsAPieceWithALeadingSpace_KeepsTheSpaceAsDecodingAfterThePromptDoes(string scheduler)
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, new Dictionary<string, string?> { ["Ember:Models:@ember/tiny-llama:Scheduler"] = scheduler });
        using var ortTokenizer = new Tokenizer(models.Folder("int8"));
        using var prompt = ortTokenizer.Encode("<s>Once upon a time");
        int[] promptTokens = [.. prompt[0]];

        var (pieces, tokens, result) = await StreamedRun.CollectAsync(runtime, new() { Prompt = "Once upon a time", Raw = true, MaxTokens = 2, Temperature = 0 });

        // "▁Template" (25663): vLLM and TGI decode it after the prompt's tokens and keep the difference, a leading space.
        Assert.Equal([25663, 4150], tokens);
        Assert.Equal([" Template", "here"], pieces);
        Assert.Equal(" Templatehere", result.Response);
        var afterPrompt = ortTokenizer.Decode([.. promptTokens, 25663])[ortTokenizer.Decode(promptTokens).Length..];
        Assert.Equal(" Template", afterPrompt);
    }

    [Fact]
    public async Task Stream_FirstTokenIsAPieceWithoutALeadingSpace_StartsWithoutOne()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);

        var (pieces, tokens, result) = await StreamedRun.CollectAsync(runtime, new() { Prompt = "hello", Raw = true, MaxTokens = 2, Temperature = 0 });

        Assert.Equal([4182, 30197], tokens);
        Assert.Equal(["ande", "γ"], pieces);
        Assert.Equal("andeγ", result.Response);
    }

    private static TextGenerationRequest Request(long seed) =>
        new() { Prompt = "Once upon a time", Raw = true, MaxTokens = Tokens, Temperature = 1, Seed = seed };

    /// <summary>Whether <paramref name="piece"/> holds whole characters only: no surrogate without its other half.</summary>
    private static bool IsWhole(string piece)
    {
        for (var i = 0; i < piece.Length; i++)
        {
            if (char.IsHighSurrogate(piece[i]) && i + 1 < piece.Length && char.IsLowSurrogate(piece[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(piece[i]))
            {
                return false;
            }
        }

        return true;
    }
}
