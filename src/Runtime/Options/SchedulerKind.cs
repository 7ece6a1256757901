namespace Ember.Runtime.Options;

/// <summary>How a replica batches its sequences.</summary>
public enum SchedulerKind
{
    /// <summary>
    /// Sequences join and leave between decode steps, on Ember's own decoder (every provider; the KV cache lives in the
    /// GPU's memory on CUDA, in host memory elsewhere).
    /// </summary>
    Continuous,

    /// <summary>
    /// Waves of up to the cap decoded to their end on ORT GenAI's batched generator (the providers this build's ORT
    /// GenAI package drives).
    /// </summary>
    Waves,
}
