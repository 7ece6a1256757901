using Ember.Runtime.Engine;
using Ember.Runtime.Generation;
using Ember.Runtime.Options;
using Ember.Runtime.Scheduling;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ember.Runtime.Tests.Scheduling;

/// <summary>
/// The continuous scheduler's prefill order, driven one iteration at a time on the test's thread (no wall clock):
/// a scripted load keeps the low slots busy with new prompts while a request waits in the highest slot.
/// </summary>
[Collection(RuntimeTestGroup.Name)]
public sealed class ContinuousLoopFairnessTests(TinyModelFixture models)
{
    private const int Cap = 4;

    /// <summary>Each case: chunk budget, prompt length of the three requests admitted first, prompt length of the last.</summary>
    [Theory]
    [InlineData(8, 16, 24)]
    [InlineData(5, 7, 13)]
    [InlineData(64, 160, 160)]
    [InlineData(3, 1, 40)]
    public void Iterate_LowSlotsKeepGettingNewPrompts_HighestSlotGetsItsFirstTokenWithinTheBound(int chunk, int olderPrompt, int targetPrompt)
    {
        var layout = DecoderLayout.Read(models.Folder("fp32"));
        using var model = GenAIModel.Load(models.Folder("fp32"), ExecutionProvider.Cpu, 0, 0, layout.ContextLength);
        using var loop = new ContinuousLoop(DecoderSession.Load(layout, Cap, 512, 0, spinning: false), new GenAISequenceTokenizer(model), Separate(chunk, model), new SchedulerStatistics(), NullLogger.Instance, "tiny#fairness");
        using var queue = new RequestQueue(64);
        var older = Enumerable.Range(0, Cap - 1).Select(i => Enqueue(queue, olderPrompt, maxTokens: 1, seed: i)).ToArray();
        var target = Enqueue(queue, targetPrompt, maxTokens: 4, seed: 99);
        var firstTokenAt = new int?[Cap];
        var newcomers = new List<TextGeneration>();

        // Iteration 1 admits all four into an empty cache: the last one takes the highest slot. From then on a new
        // prompt is always waiting, so every slot a request frees is taken again at once by a newer request.
        for (var iteration = 1; iteration <= 1000 && firstTokenAt[Cap - 1] is null; iteration++)
        {
            while (queue.Count < Cap - 1)
            {
                newcomers.Add(Enqueue(queue, olderPrompt, maxTokens: 1, seed: 1000 + newcomers.Count));
            }

            Assert.True(loop.Iterate(queue));
            foreach (var (output, index) in older.Append(target).Select((o, i) => (o, i)))
            {
                if (firstTokenAt[index] is null && output.PublishedTokens > 0)
                {
                    firstTokenAt[index] = iteration;
                }
            }
        }

        // Each request's first token comes in the iteration in which the prefill budget, handed out in order of
        // admission, has covered its prompt and every prompt admitted before it: ⌈(W + P) / C⌉.
        var expected = Enumerable.Range(1, Cap).Select(i => Ceiling(((i - 1) * olderPrompt) + (i == Cap ? targetPrompt : olderPrompt), chunk)).ToArray();
        Assert.Equal(expected.Select(e => (int?)e), firstTokenAt);
        Assert.True(newcomers.Count > 0, "the scripted load kept sending new prompts while the last one waited");

        loop.Run(queue, new CancellationToken(canceled: true));
        queue.Close(SchedulerErrors.ShuttingDown());
        Assert.All(newcomers.Append(target), output => Assert.True(output.Completion.IsCompleted));
    }

    [Fact]
    public void Iterate_TwoPromptsShareABudget_TheOlderFinishesBeforeTheNewerStarts()
    {
        var layout = DecoderLayout.Read(models.Folder("fp32"));
        using var model = GenAIModel.Load(models.Folder("fp32"), ExecutionProvider.Cpu, 0, 0, layout.ContextLength);
        var statistics = new SchedulerStatistics();
        using var loop = new ContinuousLoop(DecoderSession.Load(layout, Cap, 512, 0, spinning: false), new GenAISequenceTokenizer(model), Separate(10, model), statistics, NullLogger.Instance, "tiny#fairness");
        using var queue = new RequestQueue(64);
        var first = Enqueue(queue, 25, maxTokens: 2, seed: 1);
        var second = Enqueue(queue, 25, maxTokens: 2, seed: 2);

        // 10 + 10 + 5 of the first, then 5 + 10 + 10 of the second: one half-done prompt at a time. A prompt's last
        // chunk picks its first token and the decode step of the same iteration its second.
        var published = new List<(int First, int Second)>();
        for (var iteration = 0; iteration < 5; iteration++)
        {
            loop.Iterate(queue);
            published.Add((first.PublishedTokens, second.PublishedTokens));
        }

        Assert.Equal([(0, 0), (0, 0), (2, 0), (2, 0), (2, 2)], published);
        Assert.Equal(6, statistics.Prefills);
        loop.Run(queue, new CancellationToken(canceled: true));
    }

    /// <summary>Separate steps (the path of a graph without <c>query_seqlens</c>) of <paramref name="chunk"/> prompt tokens, no prefix caching.</summary>
    private static PlannerSettings Separate(int chunk, GenAIModel model) =>
        new(MixedSteps: false, StepTokens: Cap + chunk, PrefillChunkTokens: chunk, ChunkedPrefill: true, PrefixCaching: false, SlotRetention.Move, model.EosTokenId);

    private static int Ceiling(int tokens, int chunk) => (tokens + chunk - 1) / chunk;

    /// <summary>Queues a greedy request of <paramref name="length"/> prompt tokens (BOS, then word tokens drawn from <paramref name="seed"/>).</summary>
    private static TextGeneration Enqueue(RequestQueue queue, int length, int maxTokens, int seed)
    {
        var random = new Random(seed);
        var prompt = new int[length];
        prompt[0] = 1;
        for (var i = 1; i < length; i++)
        {
            prompt[i] = random.Next(300, 1000);
        }

        var output = new TextGeneration(length, maxTokens);
        Assert.True(queue.TryEnqueue(new SequenceRequest(Requests.Tiny, prompt, maxTokens, SamplingSettings.Greedy, output, CancellationToken.None, CancellationToken.None)));
        return output;
    }
}
