using Ember.Runtime.Scheduling;

namespace Ember.Runtime.Tests.Scheduling;

/// <summary>
/// One sequence's token picking on hand-made logits. Penalised scores are pinned exactly through ties: the greedy
/// pick breaks a tie towards the lower id, so a competitor equal to the expected score loses to it from a higher id
/// and beats it from a lower one. Sampled picks are pinned against the documented draw: one
/// <see cref="Random.NextDouble"/> per token from <c>new Random(FoldSeed(seed))</c>, walked through the kept
/// weights (highest first) until it is spent.
/// </summary>
public sealed class TokenSamplerTests
{
    private const int Draws = 200;

    private static SamplingSettings Sampled(double temperature = 1, double topP = 1, int topK = 50, long? seed = 7) =>
        new(true, temperature, topP, topK, seed, 1);

    private static int[] Picks(TokenSampler sampler, float[] logits, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => sampler.Next(logits))];

    private static double[] Stream(long seed, int count)
    {
        var random = new Random(SamplingSettings.FoldSeed(seed));
        return [.. Enumerable.Range(0, count).Select(_ => random.NextDouble())];
    }

    /// <summary>What the walk picks for a draw, given the kept ids (highest score first) and their weights.</summary>
    private static int Walk(double draw, int[] ids, double[] weights)
    {
        var left = draw * weights.Sum();
        for (var i = 0; i < ids.Length; i++)
        {
            left -= weights[i];
            if (left <= 0)
            {
                return ids[i];
            }
        }

        return ids[^1];
    }

    [Theory]
    [InlineData(new[] { 0.5f, 2f, -1f, 1.5f }, 1)]
    [InlineData(new[] { -3f, -2f, -2.5f }, 1)]
    [InlineData(new[] { 9f }, 0)]
    [InlineData(new[] { 1f, 3f, 3f, 2f }, 1)]
    public void Next_Greedy_PicksTheArgMaxAndTheLowerIdOnATie(float[] logits, int expected)
    {
        var sampler = new TokenSampler(SamplingSettings.Greedy, [2, 3]);

        Assert.Equal(expected, sampler.Next(logits));
        Assert.Equal(expected, sampler.Next(logits));
    }

    [Fact]
    public void Next_WithPenalties_LeavesTheLogitsUnchanged()
    {
        float[] logits = [4f, 3f, -1f];
        var sampler = new TokenSampler(Sampled() with { RepetitionPenalty = 2, FrequencyPenalty = 1, PresencePenalty = 1 }, [0, 2]);

        sampler.Next(logits);
        sampler.Next(logits);

        Assert.Equal([4f, 3f, -1f], logits);
    }

    [Theory]
    [InlineData(2f, 0)]
    [InlineData(2.001f, 1)]
    [InlineData(1.999f, 0)]
    public void Next_RepetitionPenaltyOnAPositivePromptToken_DividesItsLogit(float competitor, int expected)
    {
        // 4 / 2 = 2: a tie with a competitor of 2 at the higher id goes to the prompt token.
        var sampler = new TokenSampler(SamplingSettings.Greedy with { RepetitionPenalty = 2 }, [0]);

        Assert.Equal(expected, sampler.Next([4f, competitor]));
    }

    [Fact]
    public void Next_RepetitionPenaltyOnAPositivePromptToken_EqualsTheCompetitorExactly()
    {
        // From the lower id a competitor of exactly 4 / 2 wins the tie; one a little lower loses.
        var sampler = new TokenSampler(SamplingSettings.Greedy with { RepetitionPenalty = 2 }, [1]);

        Assert.Equal(0, sampler.Next([2f, 4f]));
        Assert.Equal(1, new TokenSampler(SamplingSettings.Greedy with { RepetitionPenalty = 2 }, [1]).Next([1.999f, 4f]));
    }

    [Theory]
    [InlineData(-3f, 0)]
    [InlineData(-2.999f, 1)]
    public void Next_RepetitionPenaltyOnANegativePromptToken_MultipliesItsLogit(float competitor, int expected)
    {
        // -1.5 × 2 = -3: multiplied, so the penalty lowers a negative logit too (divided it would rise to -0.75).
        var sampler = new TokenSampler(SamplingSettings.Greedy with { RepetitionPenalty = 2 }, [0]);

        Assert.Equal(expected, sampler.Next([-1.5f, competitor]));
    }

    [Fact]
    public void Next_RepetitionPenalty_CountsEveryGeneratedTokenAsSeen()
    {
        var sampler = new TokenSampler(SamplingSettings.Greedy with { RepetitionPenalty = 2 }, []);
        float[] logits = [3f, 2f, 0.5f];

        // 3 → picked; then 3 / 2 = 1.5 < 2 → 1; then 1.5 > 2 / 2 = 1 → 0 again, and so on (a token is penalised once, however often seen).
        Assert.Equal([0, 1, 0, 0], Picks(sampler, logits, 4));
    }

    [Fact]
    public void Next_RepetitionPenaltyBelowOne_RaisesASeenPositiveLogit()
    {
        // 1.5 / 0.5 = 3, over the unseen 2.5.
        var sampler = new TokenSampler(SamplingSettings.Greedy with { RepetitionPenalty = 0.5 }, [1]);

        Assert.Equal(1, sampler.Next([2.5f, 1.5f]));
    }

    [Fact]
    public void Next_FrequencyAndPresencePenalties_SubtractCountTimesFrequencyPlusPresence()
    {
        float[] logits = [2f, 1.25f, 0.75f, 0f];
        var sampler = new TokenSampler(SamplingSettings.Greedy with { FrequencyPenalty = 0.5, PresencePenalty = 0.25 }, [0, 1]);

        // Prompt tokens are not penalised: 0 first (2). Then 0 is 2 − (1 × 0.5 + 0.25) = 1.25, tied with 1 from the lower id: 0.
        // Then 0 is 2 − (2 × 0.5 + 0.25) = 0.75 < 1.25: 1. Then 0 is 0.75 and 1 is 1.25 − 0.75 = 0.5: 0 (tie with 2 from the lower id).
        Assert.Equal([0, 0, 1, 0], Picks(sampler, logits, 4));
    }

    [Theory]
    [InlineData(1.5f, 0)]
    [InlineData(1.501f, 1)]
    public void Next_RepetitionThenPresencePenalty_DividesFirstThenSubtracts(float competitor, int expected)
    {
        float[] logits = [4f, competitor];
        var sampler = new TokenSampler(SamplingSettings.Greedy with { RepetitionPenalty = 2, PresencePenalty = 0.5 }, []);
        Assert.Equal(0, sampler.Next(logits));

        // 4 / 2 − 0.5 = 1.5 (subtracting first would give (4 − 0.5) / 2 = 1.75).
        Assert.Equal(expected, sampler.Next(logits));
    }

    [Fact]
    public void Next_PenaltiesOfZeroAndOne_AreGreedyArgMax()
    {
        var sampler = new TokenSampler(SamplingSettings.Greedy with { RepetitionPenalty = 1, FrequencyPenalty = 0, PresencePenalty = 0 }, [0]);

        Assert.Equal([0, 0, 0], Picks(sampler, [3f, 2f], 3));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(7L)]
    [InlineData(123_456_789L)]
    public void Next_TopKOne_AlwaysPicksTheArgMax(long seed)
    {
        var sampler = new TokenSampler(Sampled(temperature: 5, topK: 1, seed: seed), []);

        Assert.All(Picks(sampler, [1f, 1.1f, 1.05f, 0.9f], Draws), pick => Assert.Equal(1, pick));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Next_TopKBelowOne_KeepsOnlyTheArgMax(int topK)
    {
        var sampler = new TokenSampler(Sampled(temperature: 5, topK: topK), []);

        Assert.All(Picks(sampler, [1f, 1.1f, 1.05f, 0.9f], Draws), pick => Assert.Equal(1, pick));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(2.0)]
    [InlineData(0.5)]
    public void Next_TwoTokensAtATemperature_PicksAsTheSeededDrawFallsInTheirSoftmaxShares(double temperature)
    {
        float[] logits = [0f, (float)Math.Log(3)];
        var sampler = new TokenSampler(Sampled(temperature: temperature), []);

        // Highest first: id 1 with weight e^0 = 1, id 0 with weight e^((0 − ln 3) / T) (1/3 at T = 1).
        double[] weights = [1, Math.Exp((logits[0] - logits[1]) / temperature)];
        var expected = Stream(7, Draws).Select(draw => Walk(draw, [1, 0], weights)).ToArray();

        Assert.Equal(expected, Picks(sampler, logits, Draws));
        Assert.Contains(0, expected);
        Assert.Contains(1, expected);
    }

    [Fact]
    public void Next_HigherTemperature_PicksTheLessLikelyTokenMoreOften()
    {
        float[] logits = [0f, (float)Math.Log(3)];

        var cold = Picks(new TokenSampler(Sampled(temperature: 0.5), []), logits, Draws).Count(pick => pick == 0);
        var hot = Picks(new TokenSampler(Sampled(temperature: 2), []), logits, Draws).Count(pick => pick == 0);

        Assert.True(hot > cold, $"temperature 2 picked the unlikely token {hot} times, temperature 0.5 {cold} times");
    }

    [Fact]
    public void Next_TopKTwo_PicksOnlyFromTheTwoHighestAsTheDrawSays()
    {
        float[] logits = [0.5f, 2f, 1f, 2f, 1.5f];
        var sampler = new TokenSampler(Sampled(topK: 2), []);

        // The two highest are the tied 2s, ids 1 and 3, weights 1 and 1.
        var expected = Stream(7, Draws).Select(draw => Walk(draw, [1, 3], [1, 1])).ToArray();

        Assert.Equal(expected, Picks(sampler, logits, Draws));
        Assert.Equal([1, 3], expected.Distinct().Order());
    }

    [Theory]
    [InlineData(0.4, new[] { 0 })]
    [InlineData(0.6, new[] { 0, 1 })]
    [InlineData(0.9, new[] { 0, 1, 2 })]
    [InlineData(1.0, new[] { 0, 1, 2 })]
    public void Next_TopP_KeepsTheSmallestPrefixHoldingThatMass(double topP, int[] kept)
    {
        // Probabilities 1/2, 1/4, 1/4 (weights 1, 1/2, 1/2): 0.4 needs the first, 0.6 the first two, 0.9 all three.
        float[] logits = [(float)Math.Log(2), 0f, 0f];
        var sampler = new TokenSampler(Sampled(topP: topP), []);
        var all = new[] { 1, Math.Exp(-logits[0]), Math.Exp(-logits[0]) };

        var expected = Stream(7, Draws).Select(draw => Walk(draw, kept, all[..kept.Length])).ToArray();

        Assert.Equal(expected, Picks(sampler, logits, Draws));
        Assert.Equal(kept, expected.Distinct().Order());
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(7L)]
    [InlineData(9_999_999_999L)]
    public void Next_TopPZero_KeepsOnlyTheMostLikelyToken(long seed)
    {
        var sampler = new TokenSampler(Sampled(temperature: 2, topP: 0, seed: seed), []);

        Assert.All(Picks(sampler, [1f, 1.2f, 1.19f, 1.1f], Draws), pick => Assert.Equal(1, pick));
    }

    [Fact]
    public void Next_TopPZeroWithATieForTheTop_KeepsTheLowerId()
    {
        var sampler = new TokenSampler(Sampled(temperature: 2, topP: 0), []);

        Assert.All(Picks(sampler, [1f, 1.2f, 1.2f], Draws), pick => Assert.Equal(1, pick));
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(100.0)]
    public void Next_TopPAboveOne_PicksAsTopPOne(double topP)
    {
        float[] logits = [0.3f, 1f, 0.7f, 0f];

        var above = Picks(new TokenSampler(Sampled(topP: topP), []), logits, Draws);
        var one = Picks(new TokenSampler(Sampled(topP: 1), []), logits, Draws);

        Assert.Equal(one, above);
        Assert.Equal([0, 1, 2, 3], one.Distinct().Order());
    }

    [Fact]
    public void Next_SameSeed_SamePicks()
    {
        float[] logits = [0.3f, 1f, 0.7f, 0f, 0.9f];

        var first = Picks(new TokenSampler(Sampled(seed: 42), []), logits, Draws);
        var second = Picks(new TokenSampler(Sampled(seed: 42), []), logits, Draws);

        Assert.Equal(first, second);
    }

    [Fact]
    public void Next_DifferentSeeds_DifferentPicks()
    {
        float[] logits = [0.3f, 1f, 0.7f, 0f, 0.9f];

        var first = Picks(new TokenSampler(Sampled(seed: 42), []), logits, Draws);
        var second = Picks(new TokenSampler(Sampled(seed: 43), []), logits, Draws);

        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Next_SampledWithRepetitionPenalty_SamplesFromThePenalisedScores()
    {
        // Prompt token 1: 2 ln 3 / 2 = ln 3 against the unseen 0: weights 1 (id 1) and 1/3 (id 0), as at temperature 1 above.
        float[] logits = [0f, 2 * (float)Math.Log(3)];
        var sampler = new TokenSampler(Sampled() with { RepetitionPenalty = 2 }, [1]);
        double[] weights = [1, Math.Exp(-(logits[1] / 2))];

        var expected = Stream(7, Draws).Select(draw => Walk(draw, [1, 0], weights)).ToArray();

        Assert.Equal(expected, Picks(sampler, logits, Draws));
    }

    [Theory]
    [InlineData(new[] { 1f, 3f, 3f, 2f }, 3, new[] { 1, 2, 3 })]
    [InlineData(new[] { 5f, 4f, 3f }, 3, new[] { 0, 1, 2 })]
    [InlineData(new[] { 0f, 0f, 0f }, 2, new[] { 0, 1 })]
    [InlineData(new[] { -1f, 7f, 2f, 7f, 6f }, 1, new[] { 1 })]
    [InlineData(new[] { -1f, 7f, 2f, 7f, 6f }, 4, new[] { 1, 3, 4, 2 })]
    public void TopK_Scores_ReturnsTheHighestIdsHighestFirstLowerIdOnTies(float[] scores, int k, int[] expected)
    {
        Assert.Equal(expected, TokenSampler.TopK(scores, k));
    }
}
