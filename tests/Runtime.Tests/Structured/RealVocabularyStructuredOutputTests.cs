using System.Text;
using System.Text.Json;
using Ember.Runtime.Generation;

namespace Ember.Runtime.Tests.Structured;

/// <summary>
/// Structured output end to end on the real Llama 2 vocabulary: the random model picks among the pieces the mask allows,
/// byte tokens (<c>&lt;0x22&gt;</c> for a quote, three of them for 本, an emoji's four) and pieces with a leading
/// <c>▁</c> (<c>▁y</c> in "x y") included, and every answer is compact JSON valid against its schema whose text is the
/// UTF-8 of its tokens' bytes.
/// </summary>
[Collection(RealVocabularyTestGroup.Name)]
public sealed class RealVocabularyStructuredOutputTests(RealVocabularyModelFixture models)
{
    private const string Mood = """{"type":"object","properties":{"ok":{"type":"boolean"},"mood":{"enum":["grün","naïve café","日本","😀"]},"n":{"type":"integer"},"list":{"type":"array","items":{"enum":[1,"x y",null]}}},"required":["ok","mood","n","list"],"additionalProperties":false}""";
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static TextGenerationRequest Constrained(ResponseFormat format, long seed) =>
        new() { Prompt = "Answer in JSON.", MaxTokens = 200, Temperature = 1, Seed = seed, ResponseFormat = format };

    [Fact]
    public async Task Run_SchemaOverTwentyFourSeeds_EveryAnswerIsAValidValueMadeOfItsTokensBytes()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, new Dictionary<string, string?> { ["Ember:Models:@ember/tiny-llama:SequenceCap"] = "8" });
        using var schema = JsonDocument.Parse(Mood);
        var format = new ResponseFormat(ResponseFormatKind.JsonSchema, schema.RootElement.Clone());

        var runs = await Task.WhenAll(Enumerable.Range(1, 24).Select(seed => RunAsync(runtime, Constrained(format, seed))));

        var (byteTokens, spacePieces) = (0, 0);
        foreach (var (result, tokens) in runs)
        {
            Assert.Equal(FinishReason.Stop, result.FinishReason);
            Assert.Equal(result.Response, StrictUtf8.GetString(models.BytesOf(tokens)));
            using var value = JsonDocument.Parse(result.Response);
            Assert.True(SubsetValidator.IsValid(schema.RootElement, value.RootElement), result.Response);
            Assert.Equal(tokens.Length, result.Usage.CompletionTokens);
            byteTokens += tokens.Count(token => token is >= 3 and < 3 + 256);
            spacePieces += tokens.Count(token => models.PieceBytes[token] is [(byte)' ', _, ..]);
        }

        Assert.True(byteTokens >= 24 && spacePieces > 0, $"{byteTokens} byte tokens, {spacePieces} pieces with a leading space");
    }

    [Fact]
    public async Task Run_SchemaSeed12_MakesAnEnumValueOfAPieceAndThreeByteTokens()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);
        using var schema = JsonDocument.Parse(Mood);

        var (result, tokens) = await RunAsync(runtime, Constrained(new ResponseFormat(ResponseFormatKind.JsonSchema, schema.RootElement.Clone()), 12));

        Assert.Equal("""{"ok":true,"mood":"日本","n":-196,"list":[null]}""", result.Response);
        Assert.Equal([30325, 3 + 0xE6, 3 + 0x9C, 3 + 0xAC], tokens.SkipWhile(token => token != 30325).Take(4));
        Assert.Equal((36, FinishReason.Stop), (result.Usage.CompletionTokens, result.FinishReason));
    }

    [Fact]
    public async Task Run_JsonObjectOverEightSeeds_EveryWholeAnswerIsAnObjectAndEveryTextItsTokensBytes()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, new Dictionary<string, string?> { ["Ember:Models:@ember/tiny-llama:SequenceCap"] = "8" });
        var format = new ResponseFormat(ResponseFormatKind.JsonObject);

        var runs = await Task.WhenAll(Enumerable.Range(1, 8).Select(seed => RunAsync(runtime, Constrained(format, seed) with { MaxTokens = 64 })));

        foreach (var (result, tokens) in runs)
        {
            if (result.FinishReason == FinishReason.Stop)
            {
                using var value = JsonDocument.Parse(result.Response);
                Assert.Equal(JsonValueKind.Object, value.RootElement.ValueKind);
            }
            else
            {
                // Cut in a free string: the bytes are UTF-8 (the grammar takes no other), but for a character still partial at the end.
                Assert.Equal((FinishReason.Length, 64), (result.FinishReason, result.Usage.CompletionTokens));
                Assert.StartsWith("{\"", result.Response, StringComparison.Ordinal);
            }

            Assert.Equal(Encoding.UTF8.GetString(models.BytesOf(tokens)), result.Response);
        }

        Assert.Equal(5, runs.Count(run => run.Result.FinishReason == FinishReason.Stop));
    }

    private static async Task<(TextGenerationResult Result, int[] Tokens)> RunAsync(RuntimeHarness runtime, TextGenerationRequest request)
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

        return (await generation.Completion, [.. tokens]);
    }
}
