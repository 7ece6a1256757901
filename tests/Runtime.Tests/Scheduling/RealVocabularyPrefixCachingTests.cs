using Ember.Models.Chat;
using Ember.Runtime.Generation;

namespace Ember.Runtime.Tests.Scheduling;

/// <summary>
/// Prefix caching on the real Llama 2 tokenizer, where BPE merges across the join: a prompt that extends an earlier one
/// as text can end the earlier part in other tokens ("▁hel" becomes "▁hello"). Only the common token prefix is
/// reused, and the answer is the one prefix caching off gives, token for token. Log probabilities agree to 1e-5, not to
/// the last bit: the first token's logits come from a prefill of other rows (the rest after the hit, or the whole prompt),
/// and the CPU kernels round such shapes differently (caching off alone, PrefillChunkTokens 64, 32 and 1 give that
/// first log probability as −1.14061866, −1.14061888 and −1.14061896 for the " x marks the spot" prompt).
/// </summary>
[Collection(RealVocabularyTestGroup.Name)]
public sealed class RealVocabularyPrefixCachingTests(RealVocabularyModelFixture models)
{
    private const string History = "The old lighthouse keeper climbed the stairs every evening, lit the lamp and watched the ships pass by the rocks until morning.";

    private static Dictionary<string, string?> Settings(bool caching) => new()
    {
        ["Ember:Models:@ember/tiny-llama:SequenceCap"] = "1",
        ["Ember:Models:@ember/tiny-llama:PrefixCaching"] = caching ? "true" : "false",
    };

    private static TextGenerationRequest Raw(string prompt, int maxTokens) => new() { Prompt = prompt, Raw = true, MaxTokens = maxTokens, Temperature = 0, TopLogprobs = 0 };

    [Theory]
    [InlineData(" hel", " hello world, said the keeper", 1)]
    [InlineData(" the", " there was nothing on the sea", 1)]
    [InlineData(" ", " x marks the spot", 1)]
    [InlineData(" internationa", " internationalization of the trade", 3)]
    [InlineData(" extraordinar", " extraordinary light", 3)]
    public async Task Run_SecondPromptRetokenizesTheJoin_ReusesOnlyTheCommonTokensAndAnswersAsCold(string firstEnd, string secondEnd, int retokenized)
    {
        var (first, second) = (History + firstEnd, History + secondEnd);
        (TextGenerationResult Result, List<int> Tokens, List<double> Logprobs) cold;
        await using (var off = await RuntimeHarness.StartAsync(models, Settings(caching: false)))
        {
            cold = await PrefixCachingTests.RunAsync(off, Raw(second, 24));
        }

        await using var runtime = await RuntimeHarness.StartAsync(models, Settings(caching: true));
        var firstTokens = Encode(runtime, first);
        var secondTokens = Encode(runtime, second);

        await PrefixCachingTests.RunAsync(runtime, Raw(first, 8));
        var hit = await PrefixCachingTests.RunAsync(runtime, Raw(second, 24));

        // The earlier prompt's last tokens are not the later prompt's tokens at the same places.
        Assert.Equal(firstTokens.Length - retokenized, firstTokens.AsSpan().CommonPrefixLength(secondTokens));
        Assert.Equal(firstTokens.Length - retokenized, hit.Result.Usage.CachedPromptTokens);
        Assert.Equal(cold.Tokens, hit.Tokens);
        Assert.All(cold.Logprobs.Zip(hit.Logprobs), pair => Assert.Equal(pair.First, pair.Second, 1e-5));
        Assert.Equal(cold.Result.Response, hit.Result.Response);
        Assert.Equal((secondTokens.Length, 24), (hit.Result.Usage.PromptTokens, hit.Result.Usage.CompletionTokens));
        Assert.Equal(0, cold.Result.Usage.CachedPromptTokens);
    }

    [Fact]
    public async Task Run_NextTurnResendsTheGeneratedText_ReusesOnlyTheTokensItReencodesToAndAnswersAsCold()
    {
        const string Turn = History + " The sea was calm";
        await using var runtime = await RuntimeHarness.StartAsync(models, Settings(caching: true));
        var first = await PrefixCachingTests.RunAsync(runtime, Raw(Turn, 16));
        var next = Turn + first.Result.Response + " And then?";
        (TextGenerationResult Result, List<int> Tokens, List<double> Logprobs) cold;
        await using (var off = await RuntimeHarness.StartAsync(models, Settings(caching: false)))
        {
            cold = await PrefixCachingTests.RunAsync(off, Raw(next, 24));
        }

        var hit = await PrefixCachingTests.RunAsync(runtime, Raw(next, 24));

        // The slot holds the 33 prompt tokens and the 15 generated ones fed back; the random model's 8th token is not
        // what its text encodes to ("iertensep sq…"), so the next prompt shares 33 + 7 of them.
        int[] held = [.. Encode(runtime, Turn), .. first.Tokens.Take(15)];
        Assert.Equal(48, held.Length);
        Assert.Equal(40, Encode(runtime, next).AsSpan().CommonPrefixLength(held));
        Assert.Equal(40, hit.Result.Usage.CachedPromptTokens);
        Assert.Equal(cold.Tokens, hit.Tokens);
        Assert.All(cold.Logprobs.Zip(hit.Logprobs), pair => Assert.Equal(pair.First, pair.Second, 1e-5));
        Assert.Equal(cold.Result.Response, hit.Result.Response);
    }

    private static int[] Encode(RuntimeHarness runtime, string prompt)
    {
        Assert.True(runtime.Served.TryGet(Requests.Tiny, out var served));
        return served.Replicas[0].Model.Encode(PromptBuilder.FromPrompt(served.Template, prompt, raw: true));
    }
}
