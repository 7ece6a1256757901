using System.Diagnostics.Metrics;
using Ember.Runtime.Diagnostics;
using Ember.Runtime.Generation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Ember.Runtime.Tests.Diagnostics;

/// <summary>The <c>Ember.Runtime</c> meter, read through the runtime's own meter factory while real requests run.</summary>
[Collection(RuntimeTestGroup.Name)]
public sealed class GenerationMetricsTests(TinyModelFixture models)
{
    private const string Tiny = "@ember/tiny-llama";

    [Fact]
    public async Task Run_ToLength_RecordsOutcomeTokensAndLatencies()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);
        using var meters = Collectors.Start(runtime);

        var result = await runtime.Generation.RunAsync(Tiny, new TextGenerationRequest { Prompt = "Tell me about the sea", MaxTokens = 5, Temperature = 0 }, CancellationToken.None);

        var request = Assert.Single(meters.Requests.GetMeasurementSnapshot());
        Assert.Equal(1, request.Value);
        Assert.Equal(Tiny, request.Tags[GenerationMetrics.ModelTag]);
        Assert.Equal("length", request.Tags[GenerationMetrics.OutcomeTag]);
        var tokens = meters.Tokens.GetMeasurementSnapshot();
        Assert.Equal(result.Usage.PromptTokens, Assert.Single(tokens, m => Equals(m.Tags[GenerationMetrics.TokenTypeTag], "input")).Value);
        Assert.Equal(5, Assert.Single(tokens, m => Equals(m.Tags[GenerationMetrics.TokenTypeTag], "output")).Value);
        var firstToken = Assert.Single(meters.FirstToken.GetMeasurementSnapshot()).Value;
        var duration = Assert.Single(meters.Duration.GetMeasurementSnapshot());
        var perToken = Assert.Single(meters.PerOutputToken.GetMeasurementSnapshot()).Value;
        Assert.InRange(firstToken, double.Epsilon, duration.Value);
        Assert.InRange(Assert.Single(meters.QueueTime.GetMeasurementSnapshot()).Value, 0, firstToken);
        Assert.InRange(perToken, double.Epsilon, (duration.Value - firstToken) / 4 + 1e-9);
        Assert.Equal("length", duration.Tags[GenerationMetrics.OutcomeTag]);
    }

    [Fact]
    public async Task Start_Refused_RecordsTheErrorKind_UnknownModelsUnderOneTag()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);
        using var meters = Collectors.Start(runtime);

        await Assert.ThrowsAsync<AiTextGenerationException>(() => runtime.Generation.StartAsync("@cf/nobody/" + Guid.NewGuid(), new TextGenerationRequest { Prompt = "hi" }, CancellationToken.None));
        await Assert.ThrowsAsync<AiTextGenerationException>(() => runtime.Generation.StartAsync(Tiny, new TextGenerationRequest { Prompt = "hi", MaxTokens = 0 }, CancellationToken.None));
        await Assert.ThrowsAsync<AiTextGenerationException>(() => runtime.Generation.StartAsync("@cf/mistral/mistral-7b-instruct-v0.1", new TextGenerationRequest { Prompt = "hi" }, CancellationToken.None));

        string[] seen = meters.Requests.GetMeasurementSnapshot()
            .Select(m => $"{m.Tags[GenerationMetrics.ModelTag]} {m.Tags[GenerationMetrics.OutcomeTag]} {m.Value}")
            .ToArray();
        Assert.Equal(["unknown model_not_found 1", "@ember/tiny-llama bad_input 1", "@cf/mistral/mistral-7b-instruct-v0.1 model_not_installed 1"], seen);
        Assert.Empty(meters.Duration.GetMeasurementSnapshot());
        Assert.Empty(meters.QueueTime.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task Run_Abandoned_RecordsCancelledWithoutTimePerToken()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);
        using var meters = Collectors.Start(runtime);
        using var abandon = new CancellationTokenSource();

        var generation = await runtime.Generation.StartAsync(Tiny, new TextGenerationRequest { Prompt = "hi", MaxTokens = 4000, Temperature = 0 }, abandon.Token);
        await foreach (var _ in generation.ReadPiecesAsync(CancellationToken.None))
        {
            abandon.Cancel();
        }

        var result = await generation.Completion;
        Assert.Equal(FinishReason.Cancelled, result.FinishReason);
        var request = Assert.Single(meters.Requests.GetMeasurementSnapshot());
        Assert.Equal("cancelled", request.Tags[GenerationMetrics.OutcomeTag]);
        Assert.Equal(result.Usage.CompletionTokens, Assert.Single(meters.Tokens.GetMeasurementSnapshot(), m => Equals(m.Tags[GenerationMetrics.TokenTypeTag], "output")).Value);
        Assert.Empty(meters.PerOutputToken.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task Run_AbandonedWhileQueued_StillRecordsItsQueueTime()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, new Dictionary<string, string?> { ["Ember:Models:@ember/tiny-llama:SequenceCap"] = "1" });
        using var meters = Collectors.Start(runtime);
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();
        var running = await runtime.Generation.StartAsync(Tiny, new TextGenerationRequest { Prompt = "hi", MaxTokens = 4000, Temperature = 0 }, first.Token);
        await foreach (var _ in running.ReadPiecesAsync(CancellationToken.None))
        {
            break;
        }

        var queued = await runtime.Generation.StartAsync(Tiny, new TextGenerationRequest { Prompt = "hi", MaxTokens = 4, Temperature = 0 }, second.Token);
        second.Cancel();
        var result = await queued.Completion;
        first.Cancel();
        await running.Completion;

        Assert.Equal(0, result.Usage.CompletionTokens);
        Assert.Equal(2, meters.QueueTime.GetMeasurementSnapshot().Count);
    }

    [Fact]
    public async Task Gauges_WhileARequestRuns_ReportTheCapAndTheLoad()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);
        var factory = runtime.Services.GetRequiredService<IMeterFactory>();
        using var cap = new MetricCollector<int>(factory, GenerationMetrics.MeterName, "ember.sequences.cap");
        using var load = new MetricCollector<int>(factory, GenerationMetrics.MeterName, "ember.sequences.load");

        cap.RecordObservableInstruments();
        load.RecordObservableInstruments();
        Assert.Equal(4, cap.LastMeasurement!.Value);
        Assert.Equal(Tiny, cap.LastMeasurement.Tags[GenerationMetrics.ModelTag]);
        Assert.Equal(0, load.LastMeasurement!.Value);

        using var abandon = new CancellationTokenSource();
        var generation = await runtime.Generation.StartAsync(Tiny, new TextGenerationRequest { Prompt = "hi", MaxTokens = 4000, Temperature = 0 }, abandon.Token);
        await foreach (var _ in generation.ReadPiecesAsync(CancellationToken.None))
        {
            // Running now (while a request moves from the queue to a slot the load can read one low for an instant).
            break;
        }

        load.RecordObservableInstruments();
        Assert.Equal(1, load.LastMeasurement!.Value);
        abandon.Cancel();
        await generation.Completion;
    }

    /// <summary>Collectors of every instrument of the meter, started before the requests they observe.</summary>
    private sealed class Collectors : IDisposable
    {
        private Collectors(IMeterFactory factory)
        {
            Requests = new(factory, GenerationMetrics.MeterName, "ember.requests");
            Tokens = new(factory, GenerationMetrics.MeterName, "ember.tokens");
            Duration = new(factory, GenerationMetrics.MeterName, "gen_ai.server.request.duration");
            FirstToken = new(factory, GenerationMetrics.MeterName, "gen_ai.server.time_to_first_token");
            PerOutputToken = new(factory, GenerationMetrics.MeterName, "gen_ai.server.time_per_output_token");
            QueueTime = new(factory, GenerationMetrics.MeterName, "ember.request.queue_time");
        }

        public MetricCollector<long> Requests { get; }

        public MetricCollector<long> Tokens { get; }

        public MetricCollector<double> Duration { get; }

        public MetricCollector<double> FirstToken { get; }

        public MetricCollector<double> PerOutputToken { get; }

        public MetricCollector<double> QueueTime { get; }

        public static Collectors Start(RuntimeHarness runtime) => new(runtime.Services.GetRequiredService<IMeterFactory>());

        public void Dispose()
        {
            Requests.Dispose();
            Tokens.Dispose();
            Duration.Dispose();
            FirstToken.Dispose();
            PerOutputToken.Dispose();
            QueueTime.Dispose();
        }
    }
}
