using Ember.Runtime.Generation;
using Ember.Runtime.Options;

namespace Ember.Runtime.Tests.Scheduling;

/// <summary>
/// Which kept history a request gives up, on a scripted decoder (no ONNX): conversations taking turns one at a time
/// with as many slots as conversations all hit from their second turn; the history given up is the least recently
/// used; moving histories keeps every step one row wide where a slot is left empty.
/// </summary>
public sealed class SlotRetentionTests
{
    private const int Generated = 6;

    /// <summary>Each case: the rule, mixed steps or not, the slots (cap) for four conversations, the widest step.</summary>
    [Theory]
    [InlineData(SlotRetention.Move, true, 4, 4)]
    [InlineData(SlotRetention.Move, false, 4, 4)]
    [InlineData(SlotRetention.Move, true, 5, 1)]
    [InlineData(SlotRetention.Move, false, 5, 1)]
    [InlineData(SlotRetention.Widen, true, 4, 4)]
    [InlineData(SlotRetention.Widen, false, 5, 4)]
    public void Iterate_KConversationsTakeTurns_EveryTurnHitsFromTheSecondRound(SlotRetention retention, bool mixed, int cap, int widest)
    {
        const int K = 4, Rounds = 3;
        using var scripted = new ScriptedLoop(cap, mixed, prefixCaching: true, retention: retention);
        var histories = Enumerable.Range(0, K).Select(k => Array.Empty<int>()).ToArray();

        for (var round = 0; round < Rounds; round++)
        {
            for (var k = 0; k < K; k++)
            {
                var (output, prompt) = Turn(scripted, histories[k], seed: (round * K) + k);
                // The slot kept the last turn's prompt and every token it generated but the last, which was never fed.
                Assert.Equal(round == 0 ? 0 : histories[k].Length - 1, output.CachedPromptTokens);
                histories[k] = [.. prompt, .. ScriptedDecoder.Reference(prompt, Generated)];
            }
        }

        Assert.Equal(K, scripted.Statistics.Retained);
        Assert.Equal(K * (Rounds - 1), scripted.Statistics.PrefixHits);
        Assert.Equal((double)(Rounds - 1) / Rounds, scripted.Statistics.PrefixHitRate, 12);
        // Moving keeps the one running sequence in slot 0 while a slot is empty; running where the history lies widens the step to it.
        Assert.Equal(widest, scripted.Decoder.Calls.Where(call => call.Kind is DecoderCallKind.Decode or DecoderCallKind.Step).Max(call => call.Rows));
    }

    [Fact]
    public void Iterate_KConversationsTakeTurnsWithTheLowestFreeSlot_OnlyTheLastIsKept()
    {
        const int K = 4;
        using var scripted = new ScriptedLoop(K, mixed: true, prefixCaching: true, retention: SlotRetention.Lowest);
        var histories = Enumerable.Range(0, K).Select(k => Array.Empty<int>()).ToArray();
        for (var round = 0; round < 2; round++)
        {
            for (var k = 0; k < K; k++)
            {
                var (output, prompt) = Turn(scripted, histories[k], seed: (round * K) + k);
                Assert.Equal(0, output.CachedPromptTokens);
                histories[k] = [.. prompt, .. ScriptedDecoder.Reference(prompt, Generated)];
            }
        }

        Assert.Equal(1, scripted.Statistics.Retained);
        Assert.Equal(0, scripted.Statistics.PrefixHits);
    }

    /// <summary>
    /// Three slots, conversations A, B, C one after the other: each new one runs in slot 0, and the history there
    /// moves up into the empty slot. A's next turn runs where A lies (moving it down would give up another history).
    /// A new conversation D gives up B, used least recently (C moves over it); C and A hit again, B misses.
    /// </summary>
    [Fact]
    public void Iterate_MissWhileEveryFreeSlotKeepsAHistory_GivesUpTheLeastRecentlyUsed()
    {
        using var scripted = new ScriptedLoop(3, mixed: true, prefixCaching: true, retention: SlotRetention.Move);
        int[] Next(int[] prompt) => [.. prompt, .. ScriptedDecoder.Reference(prompt, Generated)];
        List<(int From, int To)> Copies() => [.. scripted.Decoder.Calls.Where(call => call.Kind == DecoderCallKind.Copy).Select(call => (call.Slots[0], call.Slots[1]))];
        var (_, a) = Turn(scripted, [], seed: 1);
        var (_, b) = Turn(scripted, [], seed: 2);
        var (_, c) = Turn(scripted, [], seed: 3);
        Assert.Equal([(0, 1), (0, 2)], Copies());

        var (a2, a2Prompt) = Turn(scripted, Next(a), seed: 4);
        Assert.Equal(Next(a).Length - 1, a2.CachedPromptTokens);
        Assert.Equal([(0, 1), (0, 2)], Copies());
        Assert.Equal(2, scripted.Decoder.Calls[^1].Rows);

        var (d, _) = Turn(scripted, [], seed: 5);
        Assert.Equal(0, d.CachedPromptTokens);
        Assert.Equal([(0, 1), (0, 2), (0, 2)], Copies());
        var (c2, _) = Turn(scripted, Next(c), seed: 6);
        Assert.Equal(Next(c).Length - 1, c2.CachedPromptTokens);
        var (a3, _) = Turn(scripted, Next(a2Prompt), seed: 7);
        Assert.Equal(Next(a2Prompt).Length - 1, a3.CachedPromptTokens);
        var (b2, _) = Turn(scripted, Next(b), seed: 8);
        Assert.Equal(0, b2.CachedPromptTokens);
        Assert.Equal(3, scripted.Statistics.Retained);
    }

    /// <summary>
    /// Conversations whose first prompts share a 20-token start (a common system prompt) taking turns one at a time,
    /// after an earlier one-turn conversation with that start: a first turn finds the start in another conversation's
    /// kept history and copies it into an empty slot or over the history used least recently (the earlier one's, in
    /// the end), leaving the fresher histories for their own next turns, so every turn from the second round on reuses
    /// its whole history.
    /// </summary>
    [Theory]
    [InlineData(SlotRetention.Move, true)]
    [InlineData(SlotRetention.Move, false)]
    [InlineData(SlotRetention.Widen, true)]
    public void Iterate_ConversationsSharingASystemPrompt_KeepTheirOwnHistories(SlotRetention retention, bool mixed)
    {
        const int K = 4, Rounds = 3;
        using var scripted = new ScriptedLoop(K, mixed, prefixCaching: true, retention: retention);
        var system = ScriptedLoop.Prompt(20, 99);
        int[] earlier = [.. system, .. ScriptedLoop.Prompt(30, 98)[1..]];
        scripted.Enqueue(earlier, Generated);
        scripted.RunUntilIdle();
        var histories = Enumerable.Range(0, K).Select(k => Array.Empty<int>()).ToArray();
        for (var round = 0; round < Rounds; round++)
        {
            for (var k = 0; k < K; k++)
            {
                int[] prompt = round == 0 ? [.. system, .. ScriptedLoop.Prompt(20, k)[1..]] : [.. histories[k], .. ScriptedLoop.Prompt(12, (round * K) + k)[1..]];
                var output = scripted.Enqueue(prompt, Generated);
                scripted.RunUntilIdle();
                ScriptedLoop.AssertAnsweredAsAlone(output, prompt, Generated);
                Assert.Equal(round == 0 ? system.Length : histories[k].Length - 1, output.CachedPromptTokens);
                histories[k] = [.. prompt, .. ScriptedDecoder.Reference(prompt, Generated)];
            }
        }

        Assert.Equal(K, scripted.Statistics.Retained);
    }

    /// <summary>Runs one turn to its end alone: the conversation so far, then a new user message; asserts the cold answer.</summary>
    private static (TextGeneration Output, int[] Prompt) Turn(ScriptedLoop scripted, int[] history, int seed)
    {
        int[] prompt = history.Length == 0 ? ScriptedLoop.Prompt(40, seed) : [.. history, .. ScriptedLoop.Prompt(12, seed)[1..]];
        var output = scripted.Enqueue(prompt, Generated);
        scripted.RunUntilIdle();
        ScriptedLoop.AssertAnsweredAsAlone(output, prompt, Generated);
        return (output, prompt);
    }
}
