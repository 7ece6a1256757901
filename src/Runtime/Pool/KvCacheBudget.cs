using System.Globalization;
using Ember.Runtime.Engine;
using Ember.Runtime.Options;

namespace Ember.Runtime.Pool;

/// <summary>
/// Checks, before anything is loaded, that the KV caches the continuous schedulers reserve fit the budget: a cache
/// holds every slot at the full context (SequenceCap × context tokens × layers × KV heads × head size × 2 × the bytes of the graph's cache element type),
/// and its pages are touched as sequences grow, so a cache larger than memory would not fail at start but under
/// load, when the operating system kills the process.
/// </summary>
/// <remarks>Stateless.</remarks>
internal static class KvCacheBudget
{
    /// <summary>
    /// The budget when <see cref="EmberOptions.KvCacheBudgetBytes"/> is not set: three quarters of the memory the .NET
    /// runtime reports available (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>): the machine's memory, or,
    /// where a GC heap limit is set (in a container with a memory limit, 75% of that limit by default), that limit.
    /// </summary>
    /// <returns>The bytes, and how they were chosen, for messages.</returns>
    public static (long Bytes, string Source) Default()
    {
        var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return (available / 4 * 3, $"three quarters of the {ByteSize.Format(available)} the .NET runtime reports available");
    }

    /// <summary>Throws when the continuous models' caches together exceed <paramref name="budget"/>.</summary>
    /// <param name="models">Each continuous model: id, options, decoder layout, and the context limit it is served with.</param>
    /// <param name="budget">The budget in bytes.</param>
    /// <param name="source">Where the budget came from, for the message.</param>
    /// <exception cref="InvalidOperationException">The caches do not fit; the message lists each model's share and what to lower.</exception>
    public static void Check(IReadOnlyList<(string Id, ModelOptions Options, DecoderLayout Layout, int ContextTokens)> models, long budget, string source)
    {
        var shares = models
            .Select(model =>
            {
                var tokens = model.Layout.SlotLength(model.ContextTokens);
                var perToken = BytesPerToken(model.Layout);
                var bytes = ReplicaBytes(model.Options, model.Layout, model.ContextTokens) * model.Options.Replicas;
                return (model.Id, Bytes: bytes, Detail: string.Create(
                    CultureInfo.InvariantCulture,
                    $"{model.Id} {ByteSize.Format(bytes)} ({model.Options.Replicas} replica(s) × SequenceCap {model.Options.SequenceCap} × {tokens} tokens × {ByteSize.Format(perToken)} a token)"));
            })
            .ToList();
        var total = shares.Sum(share => share.Bytes);
        if (total > budget)
        {
            throw new InvalidOperationException(
                $"The continuous schedulers' KV caches need {ByteSize.Format(total)}, more than {EmberOptions.SectionName}:{nameof(EmberOptions.KvCacheBudgetBytes)} " +
                $"({ByteSize.Format(budget)}: {source}): {string.Join("; ", shares.Select(share => share.Detail))}. " +
                "Lower SequenceCap, Replicas or Limits:ContextTokensLimit of a model, or raise the budget.");
        }
    }

    /// <summary>The KV cache's bytes for one token: layers × KV heads × head size × 2 × the cache element's bytes.</summary>
    public static long BytesPerToken(DecoderLayout layout) =>
        KvCache.BytesFor(layout.Layers, 1, layout.KvHeads, 1, layout.HeadSize, layout.Types.CacheElementBytes);

    /// <summary>One replica's KV cache: SequenceCap slots of the context limit.</summary>
    public static long ReplicaBytes(ModelOptions options, DecoderLayout layout, int contextTokens) =>
        BytesPerToken(layout) * options.SequenceCap * layout.SlotLength(contextTokens);
}
