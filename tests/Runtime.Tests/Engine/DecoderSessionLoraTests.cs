using Ember.Runtime.Engine;

namespace Ember.Runtime.Tests.Engine;

/// <summary>
/// Per-row LoRA in Ember's graphs (and, where a theory says so, on the model builder's form with the inputs added when it
/// loads): an adapter served per row gives the greedy tokens of the model with its change merged into the weights, rows
/// of different adapters in one step each get what they get alone, and no adapter is the base model.
/// </summary>
[Collection(LoraTestGroup.Name)]
public sealed class DecoderSessionLoraTests(LoraModelFixture models)
{
    /// <summary>Greedy tokens generated a prompt.</summary>
    internal const int Generated = 24;

    /// <summary>The prompts every adapter runs.</summary>
    internal static readonly int[][] Prompts =
    [
        [1, 762, 769, 447, 761, 323, 829, 798, 755],
        [1, 751, 757, 263, 260, 762, 447, 761, 323, 829, 798, 755, 757, 263],
        [1, 447, 761, 323],
    ];

    /// <summary>
    /// An adapter gives the merged weights' greedy tokens, on Ember's graph and on the model builder's form with the
    /// LoRA inputs added when it loads (against the builder form with the change merged).
    /// </summary>
    [Theory]
    [InlineData("fp32", 0, false)]
    [InlineData("fp32", 1, false)]
    [InlineData("fp16", 0, false)]
    [InlineData("fp16", 1, false)]
    [InlineData("fp32", 0, true)]
    [InlineData("fp32", 1, true)]
    [InlineData("fp16", 0, true)]
    [InlineData("fp16", 1, true)]
    public void Solo_AdapterServedPerRow_SameGreedyTokensAsMergedWeights(string variant, int adapter, bool builderForm)
    {
        using var served = builderForm ? LoadGrafted(models.Builder(variant)) : Load(models.Base(variant));
        served.UseAdapters(models.Adapters);
        using var merged = Load(builderForm ? models.BuilderMerged(adapter, variant) : models.Merged(adapter, variant));
        using var plain = Load(builderForm ? models.Builder(variant) : models.Base(variant));

        foreach (var prompt in Prompts)
        {
            served.SelectAdapter(0, adapter);
            var withAdapter = MixedStepRuns.Solo(served, prompt, Generated);

            Assert.Equal(MixedStepRuns.Solo(merged, prompt, Generated), withAdapter);
            Assert.NotEqual(MixedStepRuns.Solo(plain, prompt, Generated), withAdapter);
        }
    }

    /// <summary>An adapter read from its <c>.onnx_adapter</c> form gives the greedy tokens of its PEFT form and of the merged weights.</summary>
    [Theory]
    [InlineData("fp32", 0)]
    [InlineData("fp32", 1)]
    [InlineData("fp16", 0)]
    [InlineData("fp16", 1)]
    public void Solo_OnnxAdapterServedPerRow_SameGreedyTokensAsItsPeftFormAndMergedWeights(string variant, int adapter)
    {
        using var onnx = Load(models.Base(variant));
        onnx.UseAdapters(models.OnnxAdapters);
        using var peft = Load(models.Base(variant));
        peft.UseAdapters(models.Adapters);
        using var merged = Load(models.Merged(adapter, variant));

        foreach (var prompt in Prompts)
        {
            onnx.SelectAdapter(0, adapter);
            peft.SelectAdapter(0, adapter);
            var withAdapter = MixedStepRuns.Solo(onnx, prompt, Generated);

            Assert.Equal(MixedStepRuns.Solo(peft, prompt, Generated), withAdapter);
            Assert.Equal(MixedStepRuns.Solo(merged, prompt, Generated), withAdapter);
        }
    }

    [Theory]
    [InlineData("fp32")]
    [InlineData("fp16")]
    [InlineData("int8")]
    public void Staggered_RowsOfDifferentAdaptersInOneStep_EachAsAlone(string variant)
    {
        using var session = Load(models.Base(variant));
        session.UseAdapters(models.Adapters);
        int[] adapters = [0, -1, 1];
        for (var b = 0; b < adapters.Length; b++)
        {
            session.SelectAdapter(b, adapters[b]);
        }

        var together = MixedStepRuns.Staggered(session, Prompts, chunk: 5, Generated);

        for (var b = 0; b < adapters.Length; b++)
        {
            session.SelectAdapter(0, adapters[b]);
            Assert.Equal(MixedStepRuns.Solo(session, Prompts[b], Generated), together[b]);
        }
    }

    /// <summary>
    /// No adapter gives exactly the logits of the graph without adapter inputs: Ember's graph with them (fed or not)
    /// against the same model written without them, and the model builder's form with them added against its file as it is.
    /// </summary>
    [Theory]
    [InlineData("fp32", false)]
    [InlineData("fp32", true)]
    [InlineData("int4", true)]
    public void Step_NoAdapterSelected_ExactlyTheLogitsOfTheGraphWithoutAdapterInputs(string variant, bool builderForm)
    {
        using var served = builderForm ? LoadGrafted(models.Builder(variant)) : Load(models.Base(variant));
        served.UseAdapters(models.Adapters);
        using var unfed = builderForm ? LoadGrafted(models.Builder(variant)) : Load(models.Base(variant));
        using var plain = Load(builderForm ? models.Builder(variant) : models.Plain);

        foreach (var session in new[] { served, unfed, plain })
        {
            session.Prefill(0, Prompts[0], 0);
            session.Prefill(1, Prompts[1], 0);
        }

        var expected = plain.Decode(2, [829, 798], [Prompts[0].Length, Prompts[1].Length]).ToArray();
        Assert.Equal(expected, served.Decode(2, [829, 798], [Prompts[0].Length, Prompts[1].Length]).ToArray());
        Assert.Equal(expected, unfed.Decode(2, [829, 798], [Prompts[0].Length, Prompts[1].Length]).ToArray());
    }

    /// <summary>
    /// Switching adapters between steps costs no allocation: selecting them allocates nothing, and a mixed step whose
    /// rows change adapters at every step allocates what a step of rows that keep one adapter does.
    /// </summary>
    [Fact]
    public void Step_AdaptersSwitchingEveryStep_AllocatesAsMuchAsOneAdapter()
    {
        const int Rows = 3, Steps = 16;
        using var session = Load(models.Base("fp32"));
        session.UseAdapters(models.Adapters);
        int[] tokens = [829, 798, 755];
        int[] counts = [1, 1, 1];
        var past = new int[Rows];
        for (var b = 0; b < Rows; b++)
        {
            session.Prefill(b, Prompts[b], 0);
            past[b] = Prompts[b].Length;
        }

        // Each measurement runs the same positions again (its inputs, the mask above all, are as wide).
        var start = past.ToArray();
        long Measure(bool switching)
        {
            start.CopyTo(past, 0);
            var selected = 0L;
            var stepped = 0L;
            for (var step = 0; step < Steps; step++)
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                for (var b = 0; b < Rows; b++)
                {
                    // Switching: each row's adapter moves on every step (0, 1, none); else every row keeps adapter 0.
                    session.SelectAdapter(b, switching ? ((b + step) % 3) - 1 : 0);
                }

                var between = GC.GetAllocatedBytesForCurrentThread();
                session.Step(Rows, tokens, counts, past);
                stepped += GC.GetAllocatedBytesForCurrentThread() - between;
                selected += between - before;
                for (var b = 0; b < Rows; b++)
                {
                    past[b]++;
                }
            }

            Assert.Equal(0, selected);
            return stepped;
        }

        Measure(switching: false);
        var keeping = Measure(switching: false);
        var switching = Measure(switching: true);

        Assert.Equal(keeping, switching);
    }

    [Fact]
    public void AddAdapters_MidSequence_AppendedAsIfServedFromTheStart_TheRunningSlotKeepsItsAdapter()
    {
        using var added = Load(models.Base("fp32"));
        using var whole = Load(models.Base("fp32"));
        whole.UseAdapters(models.Adapters);
        added.AddAdapters([models.Adapters[0]]);
        added.SelectAdapter(0, 0);
        whole.SelectAdapter(0, 0);
        var length = Prompts[0].Length;
        Assert.Equal(whole.Prefill(0, Prompts[0], 0), added.Prefill(0, Prompts[0], 0));

        added.AddAdapters([models.Adapters[1]]);

        Assert.Equal(2, added.Adapters);
        added.SelectAdapter(1, 1);
        whole.SelectAdapter(1, 1);
        Assert.Equal(whole.Prefill(1, Prompts[2], 0), added.Prefill(1, Prompts[2], 0));
        Assert.Equal(
            whole.Decode(2, [829, 798], [length, Prompts[2].Length]).ToArray(),
            added.Decode(2, [829, 798], [length, Prompts[2].Length]).ToArray());
    }

    [Fact]
    public void SelectAdapter_BeyondThoseServed_Throws()
    {
        using var session = Load(models.Base("fp32"));
        session.UseAdapters(models.Adapters);

        Assert.Throws<ArgumentOutOfRangeException>(() => session.SelectAdapter(0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => session.SelectAdapter(0, -2));
    }

    [Fact]
    public void UseAdapters_GraphWithoutAdapterInputs_Throws()
    {
        using var plain = Load(models.Plain);

        var error = Assert.Throws<NotSupportedException>(() => plain.UseAdapters(models.Adapters));

        Assert.Equal("This model's graph takes no LoRA adapters (it has no lora_row_adapters input).", error.Message);
    }

    /// <summary>The model in <paramref name="folder"/>, as its file is.</summary>
    internal static DecoderSession Load(string folder) => DecoderSession.Load(DecoderLayout.Read(folder), 4, 256, 0, spinning: false);

    /// <summary>The model builder's form in <paramref name="folder"/> with the LoRA inputs added when it loads.</summary>
    internal static DecoderSession LoadGrafted(string folder) => DecoderSession.Load(DecoderLayout.Read(folder).WithLoraInputsAdded()!, 4, 256, 0, spinning: false);
}
