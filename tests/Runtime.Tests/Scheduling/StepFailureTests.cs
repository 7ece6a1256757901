using Ember.Runtime.Generation;

namespace Ember.Runtime.Tests.Scheduling;

/// <summary>A failed call fails only the requests that took part in it, and the loop goes on serving (scripted decoder, no ONNX).</summary>
public sealed class StepFailureTests
{
    private static readonly int[] PromptLengths = [4, 2, 9, 5];

    /// <summary>
    /// Cap 4, a budget of 6: prompts of 4, 2, 9 and 5. The second step runs the first two's decode rows and 4 of the
    /// third prompt, and nothing of the fourth; it fails. Those three fail; the fourth, and a prompt sent after, answer as alone.
    /// </summary>
    [Fact]
    public void Iterate_MixedStepFails_FailsItsRequestsAndServesTheNext()
    {
        using var scripted = new ScriptedLoop(4, mixed: true, stepTokens: 6);
        scripted.Decoder.FailWhen = call => scripted.Decoder.Calls.Count == 2;
        var prompts = PromptLengths.Select((length, i) => ScriptedLoop.Prompt(length, seed: i)).ToArray();
        var outputs = prompts.Select(prompt => scripted.Enqueue(prompt, maxTokens: 5)).ToArray();

        Assert.True(scripted.Loop.Iterate(scripted.Queue));
        Assert.True(scripted.Loop.Iterate(scripted.Queue));
        var failed = scripted.Decoder.Calls[1];
        Assert.Equal([1, 1, 4], failed.Counts);

        foreach (var output in outputs.Take(3))
        {
            var error = Assert.IsType<AiTextGenerationException>(output.Completion.Exception?.InnerException);
            Assert.Equal(AiErrorKind.RuntimeFailure, error.Kind);
        }

        var later = ScriptedLoop.Prompt(7, seed: 9);
        var laterOutput = scripted.Enqueue(later, maxTokens: 5);
        scripted.RunUntilIdle();
        ScriptedLoop.AssertAnsweredAsAlone(outputs[3], prompts[3], 5);
        ScriptedLoop.AssertAnsweredAsAlone(laterOutput, later, 5);
    }

    /// <summary>Separate steps: one prompt's prefill call fails; it alone fails, the others answer as alone.</summary>
    [Fact]
    public void Iterate_PrefillCallFails_FailsThatRequestAlone()
    {
        using var scripted = new ScriptedLoop(3, mixed: false, prefillChunk: 64);
        scripted.Decoder.FailWhen = call => call is { Kind: DecoderCallKind.Prefill, Slots: [1] };
        var prompts = Enumerable.Range(0, 3).Select(i => ScriptedLoop.Prompt(10, seed: i)).ToArray();
        var outputs = prompts.Select(prompt => scripted.Enqueue(prompt, maxTokens: 4)).ToArray();

        scripted.RunUntilIdle();

        Assert.Equal(AiErrorKind.RuntimeFailure, Assert.IsType<AiTextGenerationException>(outputs[1].Completion.Exception?.InnerException).Kind);
        ScriptedLoop.AssertAnsweredAsAlone(outputs[0], prompts[0], 4);
        ScriptedLoop.AssertAnsweredAsAlone(outputs[2], prompts[2], 4);
    }
}
