using Ember.Runtime.Generation;
using Ember.Runtime.Scheduling;

namespace Ember.Runtime.Tests.Scheduling;

/// <summary>
/// N-gram speculation on a scripted decoder (no ONNX): greedy sequences draft what followed their last tokens earlier,
/// the step verifies the drafts beside the other rows, and each answer is exactly the one it gets without speculation.
/// </summary>
public sealed class SpeculationTests
{
    private const int Cap = 4;

    /// <summary>A looping model, 6 prompts on 4 slots: every answer as alone; most drafts kept; fewer steps.</summary>
    [Theory]
    [InlineData(4)]
    [InlineData(1)]
    [InlineData(16)]
    public void Iterate_LoopingText_AnswersAsAloneInFewerSteps(int k)
    {
        var prompts = Enumerable.Range(0, 6).Select(i => ScriptedLoop.Prompt(5 + (3 * i), seed: i)).ToArray();
        using var plain = new ScriptedLoop(Cap, mixed: true, loops: true);
        using var speculating = new ScriptedLoop(Cap, mixed: true, speculativeTokens: k, loops: true);
        var plainOutputs = prompts.Select(prompt => plain.Enqueue(prompt, maxTokens: 40)).ToArray();
        var outputs = prompts.Select(prompt => speculating.Enqueue(prompt, maxTokens: 40)).ToArray();

        var plainSteps = plain.RunUntilIdle();
        var steps = speculating.RunUntilIdle();

        for (var i = 0; i < prompts.Length; i++)
        {
            ScriptedLoop.AssertAnsweredAsAlone(plainOutputs[i], prompts[i], 40, loops: true);
            ScriptedLoop.AssertAnsweredAsAlone(outputs[i], prompts[i], 40, loops: true);
        }

        var statistics = speculating.Statistics;
        Assert.True(statistics.DraftedTokens > 0);
        Assert.True(statistics.AcceptanceRate >= 0.7, $"kept {statistics.AcceptedTokens} of {statistics.DraftedTokens}");
        Assert.True(steps < plainSteps, $"{steps} steps with speculation, {plainSteps} without");
        Assert.Equal(0, plain.Statistics.DraftedTokens);
        Assert.All(plain.Decoder.LogitCountsGiven, counts => Assert.Empty(counts));
    }

    /// <summary>Text that never repeats: the answers are unchanged, and nothing is drafted that could not be.</summary>
    [Fact]
    public void Iterate_TextWithoutRepeats_AnswersAsAlone()
    {
        using var speculating = new ScriptedLoop(Cap, mixed: true, speculativeTokens: 4);
        var prompts = Enumerable.Range(0, 5).Select(i => ScriptedLoop.Prompt(20, seed: 40 + i)).ToArray();
        var outputs = prompts.Select(prompt => speculating.Enqueue(prompt, maxTokens: 30)).ToArray();

        speculating.RunUntilIdle();

        for (var i = 0; i < prompts.Length; i++)
        {
            ScriptedLoop.AssertAnsweredAsAlone(outputs[i], prompts[i], 30);
        }

        Assert.True(speculating.Statistics.AcceptedTokens <= speculating.Statistics.DraftedTokens);
    }

    /// <summary>
    /// Every step: within the budget; a row that drafts asks the logits of its input and each draft, a prompt chunk one,
    /// an idle row none; and drafts take only what prompts leave: a step drafts only when every prompt got all it needed.
    /// </summary>
    [Fact]
    public void Iterate_Drafts_TakeOnlyTheBudgetPromptsLeave()
    {
        const int Budget = 12;
        using var speculating = new ScriptedLoop(Cap, mixed: true, stepTokens: Budget, speculativeTokens: 4, loops: true);
        var prompts = Enumerable.Range(0, 8).Select(i => ScriptedLoop.Prompt(6 + (5 * i), seed: i)).ToArray();
        var outputs = prompts.Select(prompt => speculating.Enqueue(prompt, maxTokens: 25)).ToArray();

        speculating.RunUntilIdle();

        var calls = speculating.Decoder.Calls;
        var counts = speculating.Decoder.LogitCountsGiven;
        Assert.Contains(counts, given => given.Length > 0);
        var prompted = new int[Cap];
        var admitted = 0;
        for (var c = 0; c < calls.Count; c++)
        {
            var step = calls[c];
            Assert.InRange(step.Tokens, 1, Budget);
            var prefilling = new bool[step.Rows];
            for (var row = 0; row < step.Rows; row++)
            {
                if (step.Counts[row] > 0 && step.PastLengths[row] == 0)
                {
                    prompted[row] = prompts[admitted++].Length;
                }

                prefilling[row] = prompted[row] > 0;
                prompted[row] -= prefilling[row] ? step.Counts[row] : 0;
            }

            if (counts[c].Length == 0)
            {
                continue;
            }

            // A step that verifies left no prompt waiting for tokens.
            Assert.All(Enumerable.Range(0, step.Rows), row => Assert.Equal(0, prompted[row]));
            for (var row = 0; row < step.Rows; row++)
            {
                var expected = step.Counts[row] == 0 ? 0 : prefilling[row] ? 1 : step.Counts[row];
                Assert.Equal(expected, counts[c][row]);
            }
        }

        for (var i = 0; i < prompts.Length; i++)
        {
            ScriptedLoop.AssertAnsweredAsAlone(outputs[i], prompts[i], 25, loops: true);
        }
    }

    /// <summary>Short answers: a draft never takes a sequence past its max_tokens, so each ends at exactly that many tokens.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    public async Task Iterate_MaxTokens_EndsExactlyThere(int maxTokens)
    {
        using var speculating = new ScriptedLoop(Cap, mixed: true, speculativeTokens: 8, loops: true);
        var prompts = Enumerable.Range(0, 4).Select(i => ScriptedLoop.Prompt(30, seed: 70 + i)).ToArray();
        var outputs = prompts.Select(prompt => speculating.Enqueue(prompt, maxTokens)).ToArray();

        speculating.RunUntilIdle();

        for (var i = 0; i < prompts.Length; i++)
        {
            ScriptedLoop.AssertAnsweredAsAlone(outputs[i], prompts[i], maxTokens, loops: true);
            Assert.Equal(maxTokens, (await outputs[i].Completion).Usage.CompletionTokens);
        }
    }

    /// <summary>A sampled sequence never drafts: only greedy picking reproduces the tokens one step at a time gives.</summary>
    [Fact]
    public void Iterate_SampledRequest_DraftsNothing()
    {
        using var speculating = new ScriptedLoop(Cap, mixed: true, speculativeTokens: 4, loops: true);
        var sampling = new SamplingSettings(DoSample: true, Temperature: 0.7, TopP: 1, TopK: 0, Seed: 5, RepetitionPenalty: 1);
        var output = speculating.Enqueue(ScriptedLoop.Prompt(12, seed: 3), maxTokens: 30, sampling: sampling);

        speculating.RunUntilIdle();

        Assert.True(output.Completion.IsCompletedSuccessfully);
        Assert.Equal(0, speculating.Statistics.DraftedTokens);
        Assert.All(speculating.Decoder.LogitCountsGiven, counts => Assert.Empty(counts));
    }

    /// <summary>
    /// Prefix caching keeps only kept tokens' entries: a second prompt that is the first's prompt and answer reuses
    /// them and answers as alone, though rejected drafts were written past them.
    /// </summary>
    [Fact]
    public void Iterate_PrefixCaching_KeepsOnlyAcceptedEntries()
    {
        using var speculating = new ScriptedLoop(Cap, mixed: true, prefixCaching: true, speculativeTokens: 4, loops: true);
        var first = ScriptedLoop.Prompt(24, seed: 11);
        var firstOutput = speculating.Enqueue(first, maxTokens: 30);
        speculating.RunUntilIdle();
        var next = first.Concat(ScriptedDecoder.Reference(first, 30, loops: true)).Concat(ScriptedLoop.Prompt(9, seed: 12).Skip(1)).ToArray();
        var nextOutput = speculating.Enqueue(next, maxTokens: 20);

        speculating.RunUntilIdle();

        ScriptedLoop.AssertAnsweredAsAlone(firstOutput, first, 30, loops: true);
        ScriptedLoop.AssertAnsweredAsAlone(nextOutput, next, 20, loops: true);
        Assert.True(speculating.Statistics.AcceptedTokens > 0);
        Assert.InRange(speculating.Statistics.CachedTokens, first.Length + 29 - 4, first.Length + 29);
    }

    /// <summary>A verifying step that fails fails only its requests; the loop goes on, and later requests answer as alone.</summary>
    [Fact]
    public void Iterate_VerificationFails_FailsThatStepsRequestsOnly()
    {
        using var speculating = new ScriptedLoop(Cap, mixed: true, speculativeTokens: 4, loops: true);
        var failedOnce = false;
        speculating.Decoder.FailWhen = call =>
        {
            var verifying = speculating.Decoder.LogitCountsGiven[^1].Length > 0;
            if (!verifying || failedOnce)
            {
                return false;
            }

            failedOnce = true;
            return true;
        };
        var prompts = Enumerable.Range(0, 2).Select(i => ScriptedLoop.Prompt(10, seed: 90 + i)).ToArray();
        var outputs = prompts.Select(prompt => speculating.Enqueue(prompt, maxTokens: 30)).ToArray();

        speculating.RunUntilIdle();

        Assert.True(failedOnce);
        Assert.All(outputs, output => Assert.Equal(AiErrorKind.RuntimeFailure, Assert.IsType<AiTextGenerationException>(output.Completion.Exception?.InnerException).Kind));
        var later = ScriptedLoop.Prompt(10, seed: 99);
        var laterOutput = speculating.Enqueue(later, maxTokens: 30);
        speculating.RunUntilIdle();
        ScriptedLoop.AssertAnsweredAsAlone(laterOutput, later, 30, loops: true);
    }
}
