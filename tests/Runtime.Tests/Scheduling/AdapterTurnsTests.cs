using Ember.Runtime.Options;

namespace Ember.Runtime.Tests.Scheduling;

/// <summary>
/// <see cref="LoraBatching.Groups"/> on a scripted decoder (no ONNX): a step runs the rows of one adapter group (rows of
/// no adapter are a group too), the groups take turns, the one that waited longest first, and every group is served
/// within the fairness bound of the planner's remarks, multiplied by the groups holding slots.
/// </summary>
public sealed class AdapterTurnsTests
{
    [Fact]
    public void Iterate_MixedStepsFourRequestsOfThreeGroups_GroupsTakeTurnsInTheOrderTheyCame()
    {
        using var scripted = new ScriptedLoop(4, mixed: true, loraBatching: LoraBatching.Groups);
        scripted.Decoder.Adapters = 2;
        int[] adapters = [1, -1, 0, 1];
        var prompts = adapters.Select((_, i) => ScriptedLoop.Prompt(4, seed: i)).ToArray();
        var outputs = adapters.Select((adapter, i) => scripted.Enqueue(prompts[i], maxTokens: 6, adapter)).ToArray();

        scripted.RunUntilIdle();

        // Adapter 1's group (slots 0 and 3) came first, then no adapter's (slot 1), then adapter 0's (slot 2): six turns
        // each (a prompt, then five decode tokens), one group a step.
        var fed = scripted.Decoder.Calls.Select(call => Enumerable.Range(0, call.Rows).Where(row => call.Counts[row] > 0).ToArray()).ToList();
        int[][] turn = [[0, 3], [1], [2]];
        Assert.Equal(Enumerable.Repeat(turn, 6).SelectMany(t => t), fed);
        for (var i = 0; i < outputs.Length; i++)
        {
            ScriptedLoop.AssertAnsweredAsAlone(outputs[i], prompts[i], 6);
        }
    }

    [Fact]
    public void Iterate_PerRow_EveryGroupInEveryStep()
    {
        using var scripted = new ScriptedLoop(4, mixed: true);
        scripted.Decoder.Adapters = 2;
        int[] adapters = [1, -1, 0, 1];
        foreach (var (adapter, i) in adapters.Select((a, i) => (a, i)))
        {
            scripted.Enqueue(ScriptedLoop.Prompt(4, seed: i), maxTokens: 6, adapter);
        }

        scripted.RunUntilIdle();

        Assert.Equal(6, scripted.Decoder.Calls.Count);
        Assert.All(scripted.Decoder.Calls, call => Assert.Equal(4, call.Counts.Count(count => count > 0)));
    }

    /// <summary>
    /// More requests than slots, of four groups, with prompts of mixed lengths: in each iteration the tokens decoded come
    /// from one group; a decoding sequence gets its next token within G iterations, G the groups; a prompt's first
    /// token comes within G × ⌈(W + P) / (B − cap + 1)⌉ iterations of its admission (mixed; W its group's older prompts
    /// still prefilling), or ⌈(W + P) / C⌉ (separate, W every older prompt: chunks run alone, so they do not take turns);
    /// and every request gets what it gets alone.
    /// </summary>
    [Theory]
    [InlineData(true, 4, 8, 20)]
    [InlineData(true, 6, 6, 30)]
    [InlineData(true, 8, 40, 24)]
    [InlineData(false, 4, 8, 20)]
    [InlineData(false, 6, 5, 30)]
    public void Iterate_GroupsUnderLoad_EachIterationDecodesOneGroupAndEveryGroupComesWithinTheBound(bool mixed, int cap, int budget, int requests)
    {
        using var scripted = new ScriptedLoop(cap, mixed, stepTokens: budget, prefillChunk: budget, loraBatching: LoraBatching.Groups);
        scripted.Decoder.Adapters = 3;
        var random = new Random(cap * 1000 + budget);
        var adapters = Enumerable.Range(0, requests).Select(_ => random.Next(-1, 3)).ToArray();
        var prompts = Enumerable.Range(0, requests).Select(i => ScriptedLoop.Prompt(random.Next(2, 40), seed: i)).ToArray();
        var maxTokens = Enumerable.Range(0, requests).Select(_ => random.Next(1, 12)).ToArray();
        var outputs = Enumerable.Range(0, requests).Select(i => scripted.Enqueue(prompts[i], maxTokens[i], adapters[i])).ToArray();
        var groups = adapters.Distinct().Count();
        var admittedAt = new int?[requests];
        var firstAt = new int?[requests];
        var lastAt = new int[requests];
        var published = new int[requests];
        var bounds = new int[requests];
        var admitted = 0;

        for (var iteration = 1; scripted.Queue.Count > 0 || scripted.Loop.Active > 0; iteration++)
        {
            var waiting = scripted.Queue.Count;
            Assert.True(scripted.Loop.Iterate(scripted.Queue));
            for (var taken = waiting - scripted.Queue.Count; taken > 0; taken--, admitted++)
            {
                // W: the older prompts (of its group, mixed) without a first token, counted whole (an upper bound).
                var older = Enumerable.Range(0, admitted).Where(i => firstAt[i] is null && (!mixed || adapters[i] == adapters[admitted])).Sum(i => prompts[i].Length);
                bounds[admitted] = mixed
                    ? groups * Ceiling(older + prompts[admitted].Length, budget - cap + 1)
                    : Ceiling(older + prompts[admitted].Length, budget);
                admittedAt[admitted] = iteration;
            }

            var decoded = new HashSet<int>();
            for (var i = 0; i < admitted; i++)
            {
                var now = outputs[i].PublishedTokens;
                if (now == published[i])
                {
                    if (firstAt[i] is not null && !outputs[i].Completion.IsCompleted)
                    {
                        Assert.True(iteration - lastAt[i] < groups, $"request {i} (adapter {adapters[i]}) waited {iteration - lastAt[i]} iterations for a token with {groups} groups");
                    }

                    continue;
                }

                // Mixed, a row that fed tokens ran in the step; separate, a token after the first (or two at once: a prompt
                // completed by a chunk that also decoded) came from the decode step.
                if (mixed || published[i] > 0 || now - published[i] > 1)
                {
                    decoded.Add(adapters[i]);
                }

                if (firstAt[i] is null)
                {
                    firstAt[i] = iteration;
                    Assert.True(iteration - admittedAt[i]!.Value + 1 <= bounds[i], $"request {i}'s first token came {iteration - admittedAt[i]!.Value + 1} iterations after its admission; the bound is {bounds[i]}");
                }

                published[i] = now;
                lastAt[i] = iteration;
            }

            Assert.True(decoded.Count <= 1, $"iteration {iteration} ran adapters {string.Join(", ", decoded)}");
            Assert.True(iteration < 10_000, "the loop never went idle");
        }

        for (var i = 0; i < requests; i++)
        {
            ScriptedLoop.AssertAnsweredAsAlone(outputs[i], prompts[i], maxTokens[i]);
        }
    }

    private static int Ceiling(int tokens, int per) => (tokens + per - 1) / per;
}
