using Ember.Models.Catalog;
using Ember.Runtime.Options;

namespace Ember.Runtime.Pool;

/// <summary>The limits a model is served with: the catalog's, each replaced by its configured override where set, then lowered to the model's own context length.</summary>
internal static class ServedLimits
{
    /// <summary>Resolves the limits of <paramref name="entry"/> served from <paramref name="options"/>, whose model has <paramref name="contextLength"/>.</summary>
    /// <returns>The limits, and the configured context limit when the model's own context length lowered it.</returns>
    public static (ModelLimits Limits, int? ClampedFrom) Resolve(CatalogEntry entry, ModelOptions options, int contextLength)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(options);
        var limits = EffectiveLimits.Resolve(entry.Limits, options.Limits);
        if (limits.ContextTokensLimit <= contextLength)
        {
            return (limits, null);
        }

        var sequence = Math.Min(limits.SequenceTokensLimit, contextLength);
        return (new ModelLimits(Math.Min(limits.DefaultMaxTokens, sequence), Math.Min(limits.DefaultMaxTokensStream, sequence), contextLength, sequence), limits.ContextTokensLimit);
    }
}
