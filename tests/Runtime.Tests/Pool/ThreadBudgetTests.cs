using Ember.Runtime.Options;
using Ember.Runtime.Pool;

namespace Ember.Runtime.Tests.Pool;

public sealed class ThreadBudgetTests
{
    [Theory]
    [InlineData(1, 2, 2)]
    [InlineData(2, 2, 1)]
    [InlineData(3, 2, 1)]
    [InlineData(2, 16, 8)]
    [InlineData(3, 16, 5)]
    public void For_CpuDefault_SharesTheCoresAmongTheCpuReplicas(int cpuReplicas, int processors, int expected)
    {
        var (threads, reason) = ThreadBudget.For(new ModelOptions(), cpuReplicas, processors);

        Assert.Equal(expected, threads);
        Assert.Equal($"the {processors} cores this process may use, shared by {cpuReplicas} CPU replica(s)", reason);
    }

    [Fact]
    public void For_Configured_IsTheConfiguredNumber() =>
        Assert.Equal((3, "IntraOpThreads"), ThreadBudget.For(new ModelOptions { IntraOpThreads = 3 }, 1, 2));

    [Fact]
    public void For_GpuProvider_LeavesOnnxRuntimesDefault() =>
        Assert.Equal((0, "ONNX Runtime's default on a GPU provider"), ThreadBudget.For(new ModelOptions { Provider = ExecutionProvider.Cuda }, 0, 16));
}
