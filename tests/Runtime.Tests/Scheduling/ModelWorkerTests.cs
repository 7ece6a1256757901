using Ember.Runtime.Engine;
using Ember.Runtime.Generation;
using Ember.Runtime.Options;
using Ember.Runtime.Scheduling;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ember.Runtime.Tests.Scheduling;

[Collection(RuntimeTestGroup.Name)]
public sealed class ModelWorkerTests(TinyModelFixture models)
{
    [Fact]
    public async Task Start_LoopDies_RequestsFailInsteadOfHanging()
    {
        var model = GenAIModel.Load(models.Folder("int8"), ExecutionProvider.Cpu, 0, 0, 2048);
        using var worker = new ModelWorker("tiny#0", model, new FailingLoop(), 1, 4, NullLogger.Instance);
        var output = new TextGeneration(1, 4);
        using var timeout = new CancellationTokenSource();
        var request = new SequenceRequest("@ember/tiny-llama", [1], 4, SamplingSettings.Greedy, output, CancellationToken.None, timeout.Token);

        // Whether the loop has died yet or not, the request ends: queued, it is failed when the queue closes;
        // after that, it is failed as it arrives.
        worker.Start();
        var accepted = worker.TryEnqueue(request);

        Assert.True(accepted);
        var error = await Assert.ThrowsAsync<AiTextGenerationException>(() => output.Completion);
        Assert.Equal(AiErrorKind.RuntimeFailure, error.Kind);
        Assert.Contains("out of service", error.Message, StringComparison.Ordinal);
    }
}
