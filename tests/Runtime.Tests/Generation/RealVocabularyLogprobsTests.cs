using System.Text;
using Ember.Runtime.Generation;

namespace Ember.Runtime.Tests.Generation;

/// <summary>
/// Log probabilities on the real Llama 2 vocabulary: each entry's bytes are its token's (a byte token's one byte, a
/// <c>▁</c> piece's leading space), and the chosen tokens' bytes joined are the text's UTF-8 whenever that is valid (and
/// decode to the text, U+FFFD included, when it is not).
/// </summary>
[Collection(RealVocabularyTestGroup.Name)]
public sealed class RealVocabularyLogprobsTests(RealVocabularyModelFixture models)
{

    [Fact]
    public async Task Run_TwoHundredSeededRunsTopFive_EveryEntryHasItsTokensBytesAndTheChosenJoinToTheText()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, new Dictionary<string, string?> { ["Ember:Models:@ember/tiny-llama:SequenceCap"] = "32" });

        var runs = await Task.WhenAll(Enumerable.Range(1, 200).Select(seed =>
            RunAsync(runtime, new() { Prompt = "Once upon a time", Raw = true, MaxTokens = 24, Temperature = 1, Seed = seed, TopLogprobs = 5 })));

        var (valid, invalid, byteEntries) = (0, 0, 0);
        foreach (var (pieces, result) in runs)
        {
            var tokens = pieces.Where(piece => piece.TokenId >= 0).ToArray();
            Assert.Equal(24, tokens.Length);
            foreach (var piece in tokens)
            {
                var logprobs = piece.Logprobs!;
                Assert.Equal(piece.TokenId, logprobs.Chosen.TokenId);
                Assert.Equal(models.PieceBytes[piece.TokenId], logprobs.Chosen.Bytes);
                Assert.Equal(5, logprobs.Top.Count);
                Assert.All(logprobs.Top.Where(entry => entry.TokenId > 2), entry => Assert.Equal(models.PieceBytes[entry.TokenId], entry.Bytes));
                byteEntries += logprobs.Top.Append(logprobs.Chosen).Count(entry => entry.TokenId is >= 3 and < 3 + 256 && entry.Bytes.Count == 1);
            }

            byte[] joined = [.. tokens.SelectMany(piece => piece.Logprobs!.Chosen.Bytes)];
            Assert.Equal(result.Response, Encoding.UTF8.GetString(joined));
            if (StrictUtf8.IsValid(joined))
            {
                valid++;
                Assert.Equal(Encoding.UTF8.GetBytes(result.Response), joined);
            }
            else
            {
                invalid++;
                Assert.Contains("\uFFFD", result.Response, StringComparison.Ordinal);
            }
        }

        Assert.True(invalid >= 5 && byteEntries >= 50, $"{valid} valid, {invalid} invalid runs, {byteEntries} byte-token entries");
    }

    [Fact]
    public async Task Run_GreedyFirstPieceWithALeadingSpace_ItsBytesStartWithTheSpace()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);

        var (pieces, _) = await RunAsync(runtime, new() { Prompt = "Once upon a time", Raw = true, MaxTokens = 2, Temperature = 0, TopLogprobs = 0 });

        var first = pieces[0].Logprobs!.Chosen;
        Assert.Equal((25663, " Template"), (first.TokenId, first.Token));
        Assert.Equal(" Template"u8.ToArray(), first.Bytes);
        Assert.Equal("here"u8.ToArray(), pieces[1].Logprobs!.Chosen.Bytes);
    }

    [Fact]
    public async Task Run_ByteTokenOfAnUnfinishedCharacter_ItsEntryIsTheOneByte()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);

        // Seed 12: <0xE3> (id 230) then " round", which does not continue it: the text shows U+FFFD, the bytes stay exact.
        var (pieces, result) = await RunAsync(runtime, new() { Prompt = "Once upon a time", Raw = true, MaxTokens = 10, Temperature = 1, Seed = 12, TopLogprobs = 0 });

        var (lead, next) = (pieces[8].Logprobs!.Chosen, pieces[9].Logprobs!.Chosen);
        Assert.Equal((230, "\uFFFD"), (lead.TokenId, lead.Token));
        Assert.Equal([0xE3], lead.Bytes);
        Assert.Equal((4513, " round"), (next.TokenId, next.Token));
        Assert.Equal(("", "\uFFFD round"), (pieces[8].Text, pieces[9].Text));
        Assert.EndsWith("zá\uFFFD round", result.Response, StringComparison.Ordinal);
    }

    private static async Task<(List<TextPiece> Pieces, TextGenerationResult Result)> RunAsync(RuntimeHarness runtime, TextGenerationRequest request)
    {
        var generation = await runtime.Generation.StartAsync(Requests.Tiny, request, CancellationToken.None);
        var pieces = new List<TextPiece>();
        await foreach (var piece in generation.ReadPiecesAsync())
        {
            pieces.Add(piece);
        }

        return (pieces, await generation.Completion);
    }
}
