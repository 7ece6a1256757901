using System.Globalization;
using Ember.Runtime.Options;

namespace Ember.Runtime.Pool;

/// <summary>
/// How many threads ONNX Runtime runs each replica's products on: <see cref="ModelOptions.IntraOpThreads"/> where set;
/// otherwise, on the CPU provider, the cores this process may use (<see cref="Environment.ProcessorCount"/>, which
/// honours the affinity mask and a container's CPU limit) shared evenly by every CPU replica of every model, at least
/// one each; on a GPU provider, ONNX Runtime's own default. ONNX Runtime's own default on the CPU created no worker
/// thread on a 2-core machine, so a replica ran on one core.
/// </summary>
/// <remarks>Stateless.</remarks>
internal static class ThreadBudget
{
    /// <summary>The threads of one replica of <paramref name="options"/>, and why, for the start-up log; 0 means ONNX Runtime's default.</summary>
    /// <param name="options">The model's options.</param>
    /// <param name="cpuReplicas">Replicas on the CPU provider, every model counted.</param>
    /// <param name="processors">The cores this process may use.</param>
    public static (int Threads, string Reason) For(ModelOptions options, int cpuReplicas, int processors)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.IntraOpThreads > 0)
        {
            return (options.IntraOpThreads, "IntraOpThreads");
        }

        if (options.Provider != ExecutionProvider.Cpu)
        {
            return (0, "ONNX Runtime's default on a GPU provider");
        }

        var threads = Math.Max(1, processors / Math.Max(1, cpuReplicas));
        return (threads, string.Create(CultureInfo.InvariantCulture, $"the {processors} cores this process may use, shared by {cpuReplicas} CPU replica(s)"));
    }
}
