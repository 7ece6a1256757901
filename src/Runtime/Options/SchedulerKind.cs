namespace Ember.Runtime.Options;

/// <summary>How a replica batches its sequences.</summary>
public enum SchedulerKind
{
    /// <summary>Sequences join and leave between decode steps (CPU provider; the KV cache lives in host memory).</summary>
    Continuous,

    /// <summary>Waves of up to the cap decoded to their end on ORT GenAI's batched generator (every provider).</summary>
    Waves,
}
