using Ember.Models.Lora;
using Ember.Runtime.Scheduling;

namespace Ember.Runtime.Tests.Scheduling;

/// <summary>
/// Adapters added while a replica runs (scripted decoder, no ONNX): posted from another thread, handed to the decoder
/// by the scheduler thread between two steps, appended so that a running sequence keeps its adapter's index.
/// </summary>
public sealed class AdapterMailboxTests
{
    private static readonly LoraTargetShape Shape = new(Layers: 1, Heads: 1, KvHeads: 1, HeadSize: 2);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Iterate_AdaptersPostedMidSequence_AppliedBetweenStepsAndTheRunningSlotKeepsItsAdapter(bool mixed)
    {
        using var scripted = new ScriptedLoop(2, mixed, prefillChunk: 64);
        scripted.Decoder.AddAdapters([Adapter("first")]);
        var running = scripted.Enqueue(ScriptedLoop.Prompt(6, seed: 1), maxTokens: 6, adapter: 0);
        Assert.True(scripted.Loop.Iterate(scripted.Queue));
        var callsBefore = scripted.Decoder.Calls.Count;

        var applied = scripted.Loop.Adapters.Post([Adapter("second")]);

        Assert.False(applied.IsCompleted);
        var later = scripted.Enqueue(ScriptedLoop.Prompt(5, seed: 2), maxTokens: 3, adapter: 1);
        scripted.RunUntilIdle();
        Assert.True(applied.IsCompletedSuccessfully);
        Assert.Equal([(0, ["first"]), (callsBefore, ["second"])], scripted.Decoder.AdapterLists.Select(list => (list.CallsBefore, list.Names)).ToArray());
        Assert.Equal(2, scripted.Decoder.Adapters);
        Assert.All(scripted.Decoder.SelectedAdapters.Where(s => s.Slot == 0), s => Assert.True(s.Adapter is 0 or -1));
        Assert.Contains((1, 1), scripted.Decoder.SelectedAdapters);
        ScriptedLoop.AssertAnsweredAsAlone(running, ScriptedLoop.Prompt(6, seed: 1), 6);
        ScriptedLoop.AssertAnsweredAsAlone(later, ScriptedLoop.Prompt(5, seed: 2), 3);
    }

    [Fact]
    public void Iterate_NothingPosted_DecoderNeverGivenAdapters()
    {
        using var scripted = new ScriptedLoop(2, mixed: true);
        scripted.Enqueue(ScriptedLoop.Prompt(5, seed: 1), maxTokens: 2);

        scripted.RunUntilIdle();

        Assert.Empty(scripted.Decoder.AdapterLists);
    }

    [Fact]
    public async Task Post_AfterClose_FaultsWithTheClosingError()
    {
        var mailbox = new AdapterMailbox();
        var waiting = mailbox.Post([Adapter("first")]);

        mailbox.Close(new InvalidOperationException("stopped"));

        Assert.Equal("stopped", (await Assert.ThrowsAsync<InvalidOperationException>(() => waiting)).Message);
        Assert.Equal("stopped", (await Assert.ThrowsAsync<InvalidOperationException>(() => mailbox.Post([Adapter("second")]))).Message);
    }

    /// <summary>
    /// The decoder failing in a way the mailbox does not handle (here InvalidOperationException; out of memory, say)
    /// still fails the waiting addition with that error, and the error goes on to end the loop; a kind it handles
    /// (NotSupportedException) fails the addition only.
    /// </summary>
    [Fact]
    public async Task ApplyPending_DecoderFails_TheWaitingAdditionFailsWithTheError()
    {
        var mailbox = new AdapterMailbox();
        var unexpected = mailbox.Post([Adapter("first")]);
        var failure = new InvalidOperationException("out of room");

        Assert.Same(failure, Assert.Throws<InvalidOperationException>(() => mailbox.ApplyPending(new QuietDecoder(2, 64, 0, failure))));
        Assert.True(unexpected.IsFaulted);
        Assert.Same(failure, await Assert.ThrowsAsync<InvalidOperationException>(() => unexpected));

        var handled = mailbox.Post([Adapter("second")]);
        mailbox.ApplyPending(new QuietDecoder(2, 64, 0));
        Assert.Equal("the quiet decoder serves a fixed number of adapters", (await Assert.ThrowsAsync<NotSupportedException>(() => handled)).Message);
    }

    /// <summary>A rank-1 adapter on q_proj of <see cref="Shape"/>.</summary>
    private static LoraAdapter Adapter(string name) => LoraAdapter.FromConfig(
        name,
        new PeftAdapterConfig { R = 1, LoraAlpha = 1, TargetModules = ["q_proj"] },
        [
            new SafetensorsTensor("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", "F32", [1, 2], [1f, 0f]),
            new SafetensorsTensor("base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight", "F32", [2, 1], [0f, 1f]),
        ],
        Shape,
        LoraLimits.Default);
}
