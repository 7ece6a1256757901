using Ember.Models.Catalog;
using Ember.Models.Chat;
using Ember.Models.Lora;
using Ember.Runtime.Generation;
using Ember.Runtime.Options;
using Ember.Runtime.Scheduling;

namespace Ember.Runtime.Pool;

/// <summary>
/// A catalog model this server has loaded: its effective limits, its template and its replicas; the
/// <see cref="ModelHandle"/> the inventory hands out for it, with its replicas' abilities.
/// </summary>
/// <remarks>Thread-safe; immutable after load but for the adapters it serves, which <see cref="AddAdaptersAsync"/> appends to.</remarks>
internal sealed class ServedModel : ModelHandle
{
    private readonly Lock _addingLock = new();
    private Task _adding = Task.CompletedTask;
    private string? _addingFailed;

    /// <summary>Creates the entry.</summary>
    public ServedModel(CatalogEntry entry, ModelLimits limits, TimeSpan requestTimeout, SchedulerKind scheduler, IReadOnlyList<ModelWorker> replicas, SchedulerStatistics statistics)
        : base(entry, limits, AbilitiesOf(replicas))
    {
        Scheduler = scheduler;
        RequestTimeout = requestTimeout;
        Replicas = replicas;
        Statistics = statistics;
        Template = ChatTemplates.For(entry.Template);
    }

    /// <summary>Longest a request may take.</summary>
    public TimeSpan RequestTimeout { get; }

    /// <summary>How the replicas batch.</summary>
    public SchedulerKind Scheduler { get; }

    /// <summary>The loaded replicas.</summary>
    public IReadOnlyList<ModelWorker> Replicas { get; }

    /// <summary>What the replicas' schedulers did.</summary>
    public SchedulerStatistics Statistics { get; }

    /// <summary>The chat template.</summary>
    public IChatTemplate Template { get; }

    /// <summary>The replica for a request: the one its session affinity key always maps to, or the least loaded without a key.</summary>
    /// <param name="affinity">The request's key, or <see langword="null"/>.</param>
    public ModelWorker ReplicaFor(string? affinity)
    {
        if (affinity is null || Replicas.Count == 1)
        {
            return LeastLoaded();
        }

        // FNV-1a over the key's UTF-16 units: the same key maps to the same replica in every process.
        var hash = 2166136261u;
        foreach (var unit in affinity)
        {
            hash = (hash ^ unit) * 16777619u;
        }

        return Replicas[(int)(hash % (uint)Replicas.Count)];
    }

    /// <summary>
    /// Serves <paramref name="adapters"/> after those served already, without a restart: each replica appends them between
    /// two steps (the adapters served before keep their numbers), and only once every replica serves them are the names
    /// published in <see cref="ModelHandle.Adapters"/>, so no request picks an adapter a replica lacks. An adapter whose
    /// name is served already is skipped. Additions to one model run one at a time.
    /// </summary>
    /// <returns>The names added.</returns>
    /// <exception cref="AiTextGenerationException">
    /// The model takes no adapters (bad input), they would be more than <see cref="AdapterTarget.MaxAdapters"/> (over a
    /// limit), or a replica could not stack them (a runtime failure: nothing is published, and as the replicas may now
    /// number their adapters apart, the model takes no more until it restarts).
    /// </exception>
    public Task<IReadOnlyList<string>> AddAdaptersAsync(IReadOnlyList<LoraAdapter> adapters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(adapters);
        if (AdapterTarget is not { } target)
        {
            throw new AiTextGenerationException(AiErrorKind.BadInput, $"model: {Id} takes no LoRA adapters: {AdaptersUnavailable}.");
        }

        lock (_addingLock)
        {
            // After the addition before it, whatever became of that one (its failure is its own caller's).
            var previous = _adding.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            var addition = AddAfterAsync(previous, adapters, target, cancellationToken);

            // The next waits for both: this one may end (cancelled) before the one it waited for.
            _adding = Task.WhenAll(previous, addition);
            return addition;
        }
    }

    private async Task<IReadOnlyList<string>> AddAfterAsync(Task previous, IReadOnlyList<LoraAdapter> adapters, AdapterTarget target, CancellationToken cancellationToken)
    {
        await previous.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_addingFailed is { } failure)
        {
            throw new AiTextGenerationException(AiErrorKind.RuntimeFailure, $"{Id} takes no more adapters until it restarts: adding them failed before ({failure}).");
        }

        var served = Adapters;
        var added = adapters.Where(adapter => !served.Contains(adapter.Name)).DistinctBy(adapter => adapter.Name).ToList();
        if (added.Count == 0)
        {
            return [];
        }

        if (served.Count + added.Count > target.MaxAdapters)
        {
            throw new AiTextGenerationException(AiErrorKind.LimitExceeded, $"model: {Id} serves {served.Count} adapters; {added.Count} more would pass its limit of {target.MaxAdapters} (Lora:MaxAdapters).");
        }

        try
        {
            await Task.WhenAll(Replicas.Select(replica => replica.AddAdaptersAsync(added))).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AiTextGenerationException or NotSupportedException)
        {
            _addingFailed = e.Message;
            throw new AiTextGenerationException(AiErrorKind.RuntimeFailure, $"{Id} could not take the adapters {string.Join(", ", added.Select(adapter => $"'{adapter.Name}'"))}: {e.Message}", e);
        }

        string[] names = [.. added.Select(adapter => adapter.Name)];
        PublishAdapters([.. served, .. names]);
        return names;
    }

    /// <summary>What the replicas can do: the first one's, as every replica of a model runs the same scheduler on the same provider.</summary>
    private static ModelAbilities AbilitiesOf(IReadOnlyList<ModelWorker> replicas)
    {
        var loop = replicas[0].Abilities;
        return new ModelAbilities(loop.TokenPenalties, loop.LogprobsUnavailable, loop.VocabularyUnavailable);
    }

    /// <summary>The replica with the least sequences running and waiting.</summary>
    public ModelWorker LeastLoaded()
    {
        var best = Replicas[0];
        foreach (var replica in Replicas)
        {
            if (replica.Load < best.Load)
            {
                best = replica;
            }
        }

        return best;
    }
}
