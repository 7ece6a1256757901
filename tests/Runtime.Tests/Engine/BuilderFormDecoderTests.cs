using Ember.Runtime.Engine;
using Microsoft.Extensions.Logging.Testing;

namespace Ember.Runtime.Tests.Engine;

/// <summary>
/// A graph without <c>query_seqlens</c>, as the model builder exports it, keeps the path of prefill and decode apart;
/// Ember's own graph, which has it, computes the same logits there.
/// </summary>
[Collection(RuntimeTestGroup.Name)]
public sealed class BuilderFormDecoderTests(TinyModelFixture models, BuilderFormModelFixture builderForm) : IClassFixture<BuilderFormModelFixture>
{
    private static readonly int[] Prompt = [1, 762, 769, 447, 761, 323, 829, 798, 755];

    [Fact]
    public void Read_BuilderForm_NoQuerySeqlensAndNoMixedSteps()
    {
        var layout = DecoderLayout.Read(builderForm.Folder("fp32"));
        using var session = DecoderSession.Load(layout, 2, 64, 0, spinning: false);

        Assert.Null(layout.QuerySeqlens);
        Assert.Null(layout.LogitCounts);
        Assert.False(session.MixedSteps);
        Assert.False(session.Verifies);
        var error = Assert.Throws<NotSupportedException>(() => session.Step(1, [1], [1], [0]).ToArray());
        Assert.Equal("This decoder runs prefill and decode apart: the graph has no query_seqlens input (as the model builder exports it).", error.Message);
    }

    [Fact]
    public async Task Start_SpeculationAskedOfABuilderGraph_RefusesNamingTheKey()
    {
        var settings = new Dictionary<string, string?> { ["Ember:Models:@ember/tiny-llama:SpeculativeTokens"] = "4" };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => RuntimeHarness.StartAsync(builderForm, settings, variant: "fp32"));

        Assert.Equal(
            $"Ember:Models:@ember/tiny-llama:SpeculativeTokens: speculation verifies drafted tokens with the graph's logit_counts and query_seqlens inputs, which the graph in {builderForm.Folder("fp32")} " +
            "lacks (Ember writes its own models with them; the model builder's exports have neither). Set SpeculativeTokens to 0.",
            error.Message);
    }

    [Fact]
    public void Read_OwnModel_NamesQuerySeqlensAndRunsMixedStepsOnTheCpu()
    {
        var layout = DecoderLayout.Read(models.Folder("fp32"));
        using var session = DecoderSession.Load(layout, 2, 64, 0, spinning: false);

        Assert.Equal("query_seqlens", layout.QuerySeqlens);
        Assert.Equal("logit_counts", layout.LogitCounts);
        Assert.True(session.MixedSteps);
        Assert.True(session.Verifies);
        Assert.Equal("the graph takes query_seqlens on Cpu", session.MixedStepsReason);
    }

    [Fact]
    public void PrefillAndDecode_BuilderForm_SameLogitsAsOwnGraph()
    {
        using var builder = DecoderSession.Load(DecoderLayout.Read(builderForm.Folder("fp32")), 2, 64, 0, spinning: false);
        using var own = DecoderSession.Load(DecoderLayout.Read(models.Folder("fp32")), 2, 64, 0, spinning: false);

        AssertClose(builder.Prefill(0, Prompt, 0), own.Prefill(0, Prompt, 0));
        AssertClose(builder.Prefill(1, Prompt.AsSpan(0, 4), 0), own.Prefill(1, Prompt.AsSpan(0, 4), 0));
        AssertClose(builder.Decode(2, [829, 798], [9, 4]).ToArray(), own.Decode(2, [829, 798], [9, 4]).ToArray());
    }

    [Fact]
    public async Task Start_EachForm_LogsItsStepPath()
    {
        var settings = new Dictionary<string, string?> { ["Ember:Models:@ember/tiny-llama:Scheduler"] = "Continuous" };
        await using (var own = await RuntimeHarness.StartAsync(models, settings, "fp32"))
        {
            Assert.Equal(
                "@ember/tiny-llama replica 0: mixed steps of at most 68 tokens (one Run carries decode rows and prefill chunks), because the graph takes query_seqlens on Cpu; slot retention Move.",
                StepPath(own.Logs));
        }

        await using var builder = await RuntimeHarness.StartAsync(builderForm, settings, "fp32");
        Assert.Equal(
            "@ember/tiny-llama replica 0: separate steps (prefill and decode in Runs of their own, 64 prompt tokens a step), because the graph has no query_seqlens input (as the model builder exports it); slot retention Move.",
            StepPath(builder.Logs));
    }

    private static string StepPath(FakeLogCollector logs) => Assert.Single(logs.GetSnapshot(), record => record.Id.Id == 1011).Message;

    /// <summary>
    /// The own graph takes the last position before the LM head (one row), the builder form after it (every row):
    /// the same dot products, which MLAS may block otherwise, so a few ulps apart at most.
    /// </summary>
    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        Assert.All(expected.Zip(actual), pair => Assert.Equal(pair.First, pair.Second, 1e-5f));
    }
}
