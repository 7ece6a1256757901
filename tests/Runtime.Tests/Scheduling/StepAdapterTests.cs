namespace Ember.Runtime.Tests.Scheduling;

/// <summary>The executor gives the decoder each row's LoRA adapter before every call (scripted decoder, no ONNX).</summary>
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
}
