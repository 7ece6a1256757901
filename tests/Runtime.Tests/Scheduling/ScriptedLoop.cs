using Ember.Runtime.Generation;
using Ember.Runtime.Options;
using Ember.Runtime.Scheduling;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ember.Runtime.Tests.Scheduling;

/// <summary>A continuous loop over a <see cref="ScriptedDecoder"/>, driven one iteration at a time on the test's thread.</summary>
internal sealed class ScriptedLoop : IDisposable
{
    public ScriptedLoop(int cap, bool mixed, int stepTokens = 0, int prefillChunk = 64, bool prefixCaching = false, SlotRetention retention = SlotRetention.Move, int maxLength = 512, LoraBatching loraBatching = LoraBatching.PerRow, int speculativeTokens = 0, bool loops = false)
    {
        Decoder = new ScriptedDecoder(cap, maxLength, mixed, loops);
        var settings = new PlannerSettings(mixed, stepTokens == 0 ? cap + prefillChunk : stepTokens, prefillChunk, ChunkedPrefill: true, prefixCaching, retention, ScriptedDecoder.Eos, speculativeTokens) { LoraBatching = loraBatching };
        Loop = new ContinuousLoop(Decoder, ScriptedTokenizer.Instance, settings, Statistics, NullLogger.Instance, "scripted#0");
    }

    public ScriptedDecoder Decoder { get; }

    public ContinuousLoop Loop { get; }

    public RequestQueue Queue { get; } = new(1024);

    public SchedulerStatistics Statistics { get; } = new();

    /// <summary>A prompt of <paramref name="length"/> tokens: BOS, then words drawn from <paramref name="seed"/>.</summary>
    public static int[] Prompt(int length, int seed)
    {
        var random = new Random(seed);
        return [1, .. Enumerable.Range(1, length - 1).Select(_ => random.Next(3, ScriptedDecoder.Vocabulary))];
    }

    /// <summary>Queues a request, greedy unless <paramref name="sampling"/> says otherwise, of <paramref name="adapter"/> (-1: none).</summary>
    public TextGeneration Enqueue(int[] prompt, int maxTokens, int adapter = -1, SamplingSettings? sampling = null)
    {
        var output = new TextGeneration(prompt.Length, maxTokens);
        Assert.True(Queue.TryEnqueue(new SequenceRequest("@ember/scripted", prompt, maxTokens, sampling ?? SamplingSettings.Greedy, output, CancellationToken.None, CancellationToken.None) { Adapter = adapter }));
        return output;
    }

    /// <summary>Iterates until no sequence holds a slot and none waits; returns the working iterations.</summary>
    public int RunUntilIdle()
    {
        var iterations = 0;
        while (Loop.Iterate(Queue))
        {
            Assert.True(++iterations < 100_000, "the loop never went idle");
        }

        return iterations;
    }

    /// <summary>Asserts that <paramref name="output"/> ended with the greedy text of <paramref name="prompt"/> run alone.</summary>
    public static void AssertAnsweredAsAlone(TextGeneration output, int[] prompt, int maxTokens, bool loops = false)
    {
        Assert.True(output.Completion.IsCompletedSuccessfully, "the request completed");
        var result = output.Completion.Result;
        Assert.Equal(ScriptedTokenizer.Text(ScriptedDecoder.Reference(prompt, maxTokens, loops)), result.Response);
        Assert.Equal(FinishReason.Length, result.FinishReason);
    }

    public void Dispose()
    {
        Loop.Run(Queue, new CancellationToken(canceled: true));
        Queue.Close(SchedulerErrors.ShuttingDown());
        Loop.Dispose();
        Queue.Dispose();
    }
}
