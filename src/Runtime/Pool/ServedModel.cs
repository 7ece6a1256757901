using Ember.Models.Catalog;
using Ember.Models.Chat;
using Ember.Runtime.Generation;
using Ember.Runtime.Options;
using Ember.Runtime.Scheduling;

namespace Ember.Runtime.Pool;

/// <summary>
/// A catalog model this server has loaded: its effective limits, its template and its replicas; the
/// <see cref="ModelHandle"/> the inventory hands out for it, with its replicas' abilities.
/// </summary>
/// <remarks>Immutable after load; thread-safe.</remarks>
internal sealed class ServedModel : ModelHandle
{
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
