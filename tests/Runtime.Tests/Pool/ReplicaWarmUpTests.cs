using Ember.Models.Catalog;
using Ember.Runtime.Engine;
using Ember.Runtime.Generation;
using Ember.Runtime.Options;
using Ember.Runtime.Pool;
using Ember.Runtime.Scheduling;
using Ember.Runtime.Tests.Scheduling;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ember.Runtime.Tests.Pool;

[Collection(RuntimeTestGroup.Name)]
public sealed class ReplicaWarmUpTests(TinyModelFixture models)
{
    [Fact]
    public async Task Run_ReplicaThatCannotGenerate_RefusesNamingTheReplica()
    {
        var model = GenAIModel.LoadTokenizer(models.Folder("int8"), 2048);
        using var worker = new ModelWorker("tiny#0", model, new FailingLoop(), 1, 4, NullLogger.Instance);
        worker.Start();
        var served = new ServedModel(ModelCatalog.TinyLlama, ModelCatalog.TinyLlama.Limits, TimeSpan.FromMinutes(1), SchedulerKind.Continuous, [worker], new SchedulerStatistics());

        var error = await Assert.ThrowsAsync<AiTextGenerationException>(() => ReplicaWarmUp.RunAsync(Requests.Tiny, served, CancellationToken.None));

        Assert.Equal(AiErrorKind.RuntimeFailure, error.Kind);
        Assert.StartsWith("tiny#0 could not generate its warm-up tokens: The scheduler of tiny#0 failed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_Pool_ServesAfterAWarmUpThatItDoesNotCount()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, new Dictionary<string, string?> { ["Ember:Models:@ember/tiny-llama:Scheduler"] = "Continuous" });

        var statistics = runtime.Pool.GetStatistics(Requests.Tiny)!;

        Assert.Equal(0, statistics.Sequences);
        Assert.Equal(0, statistics.Batches);
        var result = await runtime.Generation.RunAsync(Requests.Tiny, Requests.Greedy("hello", 3), CancellationToken.None);
        Assert.Equal(3, result.Usage.CompletionTokens);
        Assert.Equal(1, statistics.Sequences);
    }
}
