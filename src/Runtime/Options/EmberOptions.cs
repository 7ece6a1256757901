namespace Ember.Runtime.Options;

/// <summary>The runtime's configuration: the <c>Ember</c> section of <c>runtime.json</c>.</summary>
public sealed class EmberOptions
{
    /// <summary>The configuration section's name.</summary>
    public const string SectionName = "Ember";

    /// <summary>The smallest KV cache budget accepted.</summary>
    public const long MinKvCacheBudgetBytes = 1L << 20;

    /// <summary>
    /// The most bytes the continuous schedulers' KV caches may hold together, every model and replica counted at
    /// its SequenceCap × context limit; over it, the host refuses to start. Unset: three quarters of the memory
    /// the process may use (the machine's, or its container's limit).
    /// </summary>
    public long? KvCacheBudgetBytes { get; set; }

    /// <summary>The served models, keyed by catalog model id.</summary>
    public Dictionary<string, ModelOptions> Models { get; set; } = new(StringComparer.Ordinal);
}
