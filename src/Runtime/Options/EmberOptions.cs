using System.ComponentModel.DataAnnotations;

namespace Ember.Runtime.Options;

/// <summary>The runtime's configuration: the <c>Ember</c> section of <c>runtime.json</c>.</summary>
public sealed class EmberOptions
{
    /// <summary>The configuration section's name.</summary>
    public const string SectionName = "Ember";

    /// <summary>
    /// The most bytes the continuous schedulers' KV caches may hold together, every model and replica counted at
    /// its SequenceCap × context limit; over it, the host refuses to start. Unset: three quarters of the memory
    /// the .NET runtime reports available (the machine's memory, or a GC heap limit where one is set). From 1 MiB to 1 PiB.
    /// </summary>
    [Range(typeof(long), "1048576", "1125899906842624")]
    public long? KvCacheBudgetBytes { get; set; }

    /// <summary>
    /// The memory the models must fit in together: every replica's weights (its decoder files' size on disk, for the
    /// CPU provider) and its KV cache; over it, the host refuses to start before loading anything, naming the sizes.
    /// Unset: the memory the .NET runtime reports available (the machine's, or a GC heap limit where one is set).
    /// From 1 MiB to 1 PiB.
    /// </summary>
    [Range(typeof(long), "1048576", "1125899906842624")]
    public long? MemoryBytes { get; set; }

    /// <summary>The served models, keyed by catalog model id.</summary>
    public Dictionary<string, ModelOptions> Models { get; set; } = new(StringComparer.Ordinal);
}
