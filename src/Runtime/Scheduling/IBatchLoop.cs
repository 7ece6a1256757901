namespace Ember.Runtime.Scheduling;

/// <summary>
/// How a replica's scheduler thread turns its queue into batches: <see cref="WaveLoop"/> (waves on ORT GenAI's
/// batched generator) or <see cref="ContinuousLoop"/> (sequences join and leave between decode steps).
/// </summary>
/// <remarks><see cref="Run"/> is called once, on the scheduler thread; <see cref="Active"/> from any thread.</remarks>
internal interface IBatchLoop : IDisposable
{
    /// <summary>Sequences decoding now.</summary>
    int Active { get; }

    /// <summary>What it can do.</summary>
    LoopAbilities Abilities { get; }

    /// <summary>Where adapters are posted for it to serve from its next step on; <see langword="null"/> for a loop that serves none.</summary>
    AdapterMailbox? Adapters => null;

    /// <summary>Serves <paramref name="queue"/> until <paramref name="stopping"/>, then ends every sequence it holds.</summary>
    void Run(RequestQueue queue, CancellationToken stopping);
}
