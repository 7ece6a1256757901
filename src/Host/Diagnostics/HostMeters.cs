using Ember.Runtime.Diagnostics;

namespace Ember.Host.Diagnostics;

/// <summary>The meters <c>/metrics</c> exports.</summary>
public static class HostMeters
{
    /// <summary>
    /// Ember's runtime (requests, tokens, latencies, load), ASP.NET Core's HTTP server metrics, Kestrel's
    /// connections, and the .NET runtime's (GC, memory, CPU, thread pool).
    /// </summary>
    public static IReadOnlyList<string> Exported { get; } =
        [GenerationMetrics.MeterName, Batch.BatchMeters.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Runtime"];
}
