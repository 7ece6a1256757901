using Ember.Models.Lora;
using Ember.Runtime.Engine;

namespace Ember.Runtime.Tests.Engine;

/// <summary>
/// Per-row LoRA on a graph in the model builder's form, whose adapter inputs Ember adds when it loads
/// (<see cref="LoraGraft"/>): rows of different adapters decoding together each get what they get alone, and what the
/// graft refuses. That an adapter gives the merged weights' tokens, and no adapter the file's logits, is proven on this
/// form beside Ember's own in <see cref="DecoderSessionLoraTests"/>.
/// </summary>
[Collection(LoraTestGroup.Name)]
public sealed class DecoderSessionLoraGraftTests(LoraModelFixture models)
{
    private const int Generated = DecoderSessionLoraTests.Generated;

    private static int[][] Prompts => DecoderSessionLoraTests.Prompts;

    [Theory]
    [InlineData("fp32")]
    [InlineData("fp16")]
    [InlineData("int8")]
    [InlineData("int4")]
    public void Decode_RowsOfDifferentAdaptersTogether_EachAsAlone(string variant)
    {
        using var session = LoadGrafted(models.Builder(variant));
        session.UseAdapters(models.Adapters);
        int[] adapters = [0, -1, 1];

        var together = Together(session, adapters);

        for (var b = 0; b < adapters.Length; b++)
        {
            session.SelectAdapter(0, adapters[b]);
            Assert.Equal(MixedStepRuns.Solo(session, Prompts[b], Generated), together[b]);
        }

        Assert.NotEqual(together[0], Solo(session, -1, Prompts[0]));
        Assert.NotEqual(together[2], Solo(session, -1, Prompts[2]));
    }

    [Fact]
    public void WithLoraInputsAdded_EmberOwnFormOrInputsAlready_Null()
    {
        var builder = DecoderLayout.Read(models.Builder("fp32"));

        Assert.Null(builder.Lora);
        Assert.Equal(LoraModelFixture.Shape, builder.WithLoraInputsAdded()!.Lora);
        Assert.True(builder.WithLoraInputsAdded()!.AddsLoraInputs);
        Assert.Null(DecoderLayout.Read(models.Plain).WithLoraInputsAdded());
        Assert.Null(DecoderLayout.Read(models.Base("fp32")).WithLoraInputsAdded());
    }

    [Fact]
    public void Apply_ConfigurationOfOtherSizes_RefusedNamingTheFileAndTheMismatch()
    {
        var path = DecoderLayout.Read(models.Builder("int4")).ModelPath;
        var shape = LoraModelFixture.Shape;

        var moreLayers = Assert.Throws<InvalidDataException>(() => LoraGraft.Apply(path, shape with { Layers = 4 }, "input_ids"));
        var moreHeads = Assert.Throws<InvalidDataException>(() => LoraGraft.Apply(DecoderLayout.Read(models.Builder("fp32")).ModelPath, shape with { KvHeads = shape.Heads }, "input_ids"));

        Assert.Equal(
            $"{path}: Ember adds LoRA inputs to graphs in the model builder's form, whose projections are the nodes /model/layers.{{i}}/attn/{{qkv_proj | q_proj, k_proj, v_proj | o_proj}}/MatMul; " +
            "it found none for layers.2 q_proj, layers.2 k_proj, layers.2 v_proj, layers.2 o_proj and 4 more.",
            moreLayers.Message);
        Assert.EndsWith(": node /model/layers.0/attn/qkv_proj/MatMul maps 64 features to 128, but the configuration's heads make its projection 64 to 192.", moreHeads.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_GraphWithAdapterInputs_Refused()
    {
        var path = DecoderLayout.Read(models.Base("fp32")).ModelPath;

        var error = Assert.Throws<InvalidDataException>(() => LoraGraft.Apply(path, LoraModelFixture.Shape, "input_ids"));

        Assert.Equal($"{path}: its graph has a lora_row_adapters input already.", error.Message);
    }

    /// <summary>Every prompt prefilled alone in its slot with its adapter, then all decoding together until each has <see cref="Generated"/> tokens.</summary>
    private static List<int>[] Together(DecoderSession session, int[] adapters)
    {
        var tokens = new List<int>[adapters.Length];
        for (var b = 0; b < adapters.Length; b++)
        {
            session.SelectAdapter(b, adapters[b]);
            tokens[b] = [MixedStepRuns.ArgMax(session.Prefill(b, Prompts[b], 0))];
        }

        var vocab = session.VocabSize;
        while (tokens[0].Count < Generated)
        {
            var logits = session.Decode(adapters.Length, [.. tokens.Select(t => t[^1])], [.. Enumerable.Range(0, adapters.Length).Select(b => Prompts[b].Length + tokens[b].Count - 1)]).ToArray();
            for (var b = 0; b < adapters.Length; b++)
            {
                tokens[b].Add(MixedStepRuns.ArgMax(logits.AsSpan(b * vocab, vocab)));
            }
        }

        return tokens;
    }

    private static List<int> Solo(DecoderSession session, int adapter, int[] prompt)
    {
        session.SelectAdapter(0, adapter);
        return MixedStepRuns.Solo(session, prompt, Generated);
    }

    private static DecoderSession LoadGrafted(string folder) => DecoderSessionLoraTests.LoadGrafted(folder);
}
