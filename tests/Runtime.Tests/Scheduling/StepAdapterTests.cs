using Ember.Runtime.Generation;
using Ember.Runtime.Options;
using Ember.Runtime.Scheduling;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ember.Runtime.Tests.Scheduling;

/// <summary>
/// The executor gives the decoder each row's LoRA adapter before every call (scripted decoder, no ONNX), and doing so
/// allocates nothing per step, whether rows of several adapters share a step or the adapter groups take turns.
/// </summary>
public sealed class StepAdapterTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Iterate_RowsOfDifferentAdapters_EachSlotGetsItsRequestsAdapter(bool mixed)
    {
        using var scripted = new ScriptedLoop(4, mixed, prefillChunk: 64);
        scripted.Decoder.Adapters = 2;
        int[] adapters = [1, -1, 0];
        var outputs = adapters.Select((adapter, i) => scripted.Enqueue(ScriptedLoop.Prompt(6, seed: i), maxTokens: 3, adapter)).ToArray();

        scripted.RunUntilIdle();

        // Each slot is given its request's adapter, and nothing but it or none (-1, once the slot is free).
        for (var slot = 0; slot < adapters.Length; slot++)
        {
            Assert.Contains((slot, adapters[slot]), scripted.Decoder.SelectedAdapters);
            Assert.All(scripted.Decoder.SelectedAdapters.Where(s => s.Slot == slot), s => Assert.True(s.Adapter == adapters[slot] || s.Adapter == -1));
        }

        for (var i = 0; i < outputs.Length; i++)
        {
            ScriptedLoop.AssertAnsweredAsAlone(outputs[i], ScriptedLoop.Prompt(6, seed: i), 3);
        }
    }

    [Fact]
    public void Iterate_DecoderServesNoAdapters_NeverAsked()
    {
        using var scripted = new ScriptedLoop(2, mixed: true);
        scripted.Enqueue(ScriptedLoop.Prompt(5, seed: 1), maxTokens: 2);

        scripted.RunUntilIdle();

        Assert.Empty(scripted.Decoder.SelectedAdapters);
    }

    /// <summary>
    /// Five sequences of four adapters and none decode on a decoder that allocates nothing: after a warm-up, planning
    /// and running 200 mixed steps allocates no byte, with every adapter in each step (PerRow) or the adapter changing
    /// at every step (Groups).
    /// </summary>
    [Theory]
    [InlineData(LoraBatching.PerRow)]
    [InlineData(LoraBatching.Groups)]
    public void Execute_SteadyDecodingOfFiveGroups_AllocatesNothingPerStep(LoraBatching batching)
    {
        const int Cap = 8, Steps = 200;
        int[] adapters = [0, 1, -1, 2, 3];
        var decoder = new QuietDecoder(Cap, maxLength: 4096, adapters: 4);
        var settings = new PlannerSettings(MixedSteps: true, StepTokens: Cap + 64, PrefillChunkTokens: 64, ChunkedPrefill: true, PrefixCaching: true, SlotRetention.Move, ScriptedDecoder.Eos) { LoraBatching = batching };
        var planner = new StepPlanner(Cap, decoder.MaxLength, settings);
        var executor = new StepExecutor(decoder, planner, new SchedulerStatistics(), NullLogger.Instance, "quiet#0");
        var results = new AcceptingResults(planner);
        using var queue = new RequestQueue(16);
        foreach (var (adapter, i) in adapters.Select((a, i) => (a, i)))
        {
            var prompt = ScriptedLoop.Prompt(6, seed: i);
            Assert.True(queue.TryEnqueue(new SequenceRequest("@ember/quiet", prompt, 100_000, SamplingSettings.Greedy, new TextGeneration(prompt.Length, 100_000), CancellationToken.None, CancellationToken.None) { Adapter = adapter }));
        }

        while (planner.TryAdmit(queue, out _))
        {
        }

        // Warm-up: every prompt prefilled, every sequence decoding, every path run a few times.
        for (var step = 0; step < 50; step++)
        {
            executor.Execute(planner.Plan(), results);
        }

        var first = decoder.Steps;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var step = 0; step < Steps; step++)
        {
            executor.Execute(planner.Plan(), results);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(first + Steps, decoder.Steps);
        var steps = decoder.StepAdapters.AsSpan(first, Steps).ToArray();
        var everyAdapter = adapters.Aggregate(0L, (mask, a) => mask | (1L << (a + 1)));
        if (batching == LoraBatching.PerRow)
        {
            Assert.All(steps, mask => Assert.Equal(everyAdapter, mask));
        }
        else
        {
            // One adapter a step, a different one from the step before, each in turn.
            Assert.All(steps, mask => Assert.Equal(1, long.PopCount(mask)));
            Assert.All(steps.Zip(steps.Skip(1)), pair => Assert.NotEqual(pair.First, pair.Second));
            Assert.Equal(everyAdapter, steps.Take(adapters.Length).Aggregate(0L, (mask, step) => mask | step));
        }
    }

    /// <summary>Advances the planner as the loop does, the token picked being always <see cref="QuietDecoder.Token"/>; allocates nothing.</summary>
    private sealed class AcceptingResults(StepPlanner planner) : IStepResults
    {
        public void Prefilled(PrefillChunk chunk, ReadOnlySpan<float> logits)
        {
            if (planner.Prefilled(chunk))
            {
                Assert.Null(planner.Accept(chunk.Slot, QuietDecoder.Token, stopped: false));
            }
        }

        public void Decoded(int slot, ReadOnlySpan<float> logits)
        {
            planner.Decoded(slot);
            if (planner.Accept(slot, QuietDecoder.Token, stopped: false) is { } reason)
            {
                Assert.Fail($"slot {slot} finished ({reason})");
            }
        }

        public void Verified(int slot, ReadOnlySpan<float> logits, ReadOnlySpan<int> drafts) => Assert.Fail($"slot {slot} drafted, with speculation off");

        public void Failed(int slot, AiTextGenerationException error) => Assert.Fail($"slot {slot} failed: {error.Message}");
    }
}
