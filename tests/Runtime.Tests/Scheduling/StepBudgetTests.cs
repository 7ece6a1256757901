namespace Ember.Runtime.Tests.Scheduling;

/// <summary>
/// The continuous scheduler's token budget on a scripted decoder (no ONNX): decode rows first, one token each, then
/// prompt chunks in order of admission, never over the budget; and the fairness bound in tokens.
/// </summary>
public sealed class StepBudgetTests
{
    /// <summary>Each case: the cap, the step budget, the prompts' lengths, the tokens each generates.</summary>
    [Theory]
    [InlineData(4, 8, new[] { 10, 3, 25, 7 }, 6)]
    [InlineData(4, 4, new[] { 30, 30, 30, 30, 5, 17 }, 3)]
    [InlineData(8, 40, new[] { 100, 1, 2, 64, 9, 33, 70, 12, 5 }, 12)]
    [InlineData(3, 3, new[] { 2, 2, 2, 2, 2 }, 20)]
    public void Iterate_MixedSteps_DecodesFirstThenChunksInAdmissionOrderWithinTheBudget(int cap, int budget, int[] prompts, int maxTokens)
    {
        using var scripted = new ScriptedLoop(cap, mixed: true, stepTokens: budget);
        var requests = prompts.Select((length, i) => ScriptedLoop.Prompt(length, seed: i)).ToArray();
        var outputs = requests.Select(prompt => scripted.Enqueue(prompt, maxTokens)).ToArray();

        scripted.RunUntilIdle();

        var steps = scripted.Decoder.Calls;
        Assert.All(steps, call => Assert.Equal(DecoderCallKind.Step, call.Kind));
        var remaining = new Dictionary<int, int>();
        var waiting = new List<int>();
        var admitted = 0;
        foreach (var step in steps)
        {
            Assert.InRange(step.Tokens, 1, budget);
            var decodes = Enumerable.Range(0, step.Rows).Where(row => step.Counts[row] == 1 && !remaining.ContainsKey(row)).ToList();
            // A row that starts at 0 entries is a newly admitted prompt: it joins the admission order.
            foreach (var row in Enumerable.Range(0, step.Rows).Where(row => step.Counts[row] > 0 && step.PastLengths[row] == 0))
            {
                remaining[row] = requests[admitted++].Length;
                waiting.Add(row);
                decodes.Remove(row);
            }

            var chunks = waiting.Where(row => row < step.Rows && step.Counts[row] > 0).ToList();
            // The prompts served are the oldest waiting ones, all but the last served whole.
            Assert.Equal(waiting.Take(chunks.Count), chunks);
            Assert.All(chunks.SkipLast(1), row => Assert.Equal(remaining[row], step.Counts[row]));
            // Work-conserving: prompts get what decode rows leave, or all they still need.
            var prefill = chunks.Sum(row => step.Counts[row]);
            Assert.Equal(Math.Min(budget - decodes.Count, waiting.Sum(row => remaining[row])), prefill);
            foreach (var row in chunks)
            {
                remaining[row] -= step.Counts[row];
                if (remaining[row] == 0)
                {
                    remaining.Remove(row);
                    waiting.Remove(row);
                }
            }
        }

        Assert.Equal(prompts.Length, admitted);
        foreach (var (output, i) in outputs.Select((o, i) => (o, i)))
        {
            ScriptedLoop.AssertAnsweredAsAlone(output, requests[i], maxTokens);
        }
    }

    /// <summary>
    /// Cap 4, a budget of 8: three prompts of 10 that then decode on, and a prompt of 30 in the highest slot. The budget
    /// left to prompts falls as they start decoding (8, 8, 7, 6, 6, 5…): 8 + 2 | 6 + 4 | 3 + 6 + 1 | 5 + 5 + 5 + 5 + 5 + 5.
    /// </summary>
    [Fact]
    public void Iterate_MixedSteps_FirstTokensComeWhenTheBudgetLeftByDecodesCoversEveryOlderPrompt()
    {
        const int Cap = 4, Budget = 8, Older = 10, Target = 30;
        using var scripted = new ScriptedLoop(Cap, mixed: true, stepTokens: Budget);
        var outputs = Enumerable.Range(0, Cap).Select(i => scripted.Enqueue(ScriptedLoop.Prompt(i == Cap - 1 ? Target : Older, seed: i), maxTokens: 100)).ToArray();
        var firstTokenAt = new int?[Cap];

        for (var iteration = 1; firstTokenAt[Cap - 1] is null; iteration++)
        {
            Assert.True(scripted.Loop.Iterate(scripted.Queue));
            for (var i = 0; i < Cap; i++)
            {
                firstTokenAt[i] ??= outputs[i].PublishedTokens > 0 ? iteration : null;
            }
        }

        Assert.Equal([2, 3, 5, 10], firstTokenAt);
        // The bound of the remarks: ⌈(W + P) / (B − cap + 1)⌉ = ⌈(30 + 30) / 5⌉ = 12.
        Assert.InRange(firstTokenAt[Cap - 1]!.Value, 1, (((Cap - 1) * Older) + Target + Budget - Cap) / (Budget - Cap + 1));
    }

    /// <summary>
    /// The bound under load, mixed and separate steps: the low slots keep getting new prompts (each generating one
    /// token, so none decodes) while a request waits in the highest slot; each request's first token comes exactly in
    /// step ⌈(W + P) / budget⌉ after its admission.
    /// </summary>
    [Theory]
    [InlineData(true, 8, 16, 24)]
    [InlineData(true, 5, 7, 13)]
    [InlineData(true, 64, 160, 160)]
    [InlineData(true, 4, 1, 40)]
    [InlineData(false, 8, 16, 24)]
    [InlineData(false, 3, 1, 40)]
    public void Iterate_LowSlotsKeepGettingNewPrompts_HighestSlotGetsItsFirstTokenWithinTheBound(bool mixed, int budget, int olderPrompt, int targetPrompt)
    {
        const int Cap = 4;
        using var scripted = new ScriptedLoop(Cap, mixed, stepTokens: budget, prefillChunk: budget);
        var first = Enumerable.Range(0, Cap).Select(i => scripted.Enqueue(ScriptedLoop.Prompt(i == Cap - 1 ? targetPrompt : olderPrompt, seed: i), maxTokens: i == Cap - 1 ? 4 : 1)).ToArray();
        var firstTokenAt = new int?[Cap];
        var newcomers = 0;

        for (var iteration = 1; iteration <= 1000 && firstTokenAt[Cap - 1] is null; iteration++)
        {
            while (scripted.Queue.Count < Cap - 1)
            {
                scripted.Enqueue(ScriptedLoop.Prompt(olderPrompt, seed: 1000 + newcomers++), maxTokens: 1);
            }

            Assert.True(scripted.Loop.Iterate(scripted.Queue));
            for (var i = 0; i < Cap; i++)
            {
                firstTokenAt[i] ??= first[i].PublishedTokens > 0 ? iteration : null;
            }
        }

        var expected = Enumerable.Range(1, Cap).Select(i => (int?)Ceiling(((i - 1) * olderPrompt) + (i == Cap ? targetPrompt : olderPrompt), budget));
        Assert.Equal(expected, firstTokenAt);
        Assert.True(newcomers > 0, "the scripted load kept sending new prompts while the last one waited");
        Assert.All(scripted.Decoder.Calls, call => Assert.Equal(mixed, call.Kind == DecoderCallKind.Step));
    }

    private static int Ceiling(int tokens, int budget) => (tokens + budget - 1) / budget;
}
