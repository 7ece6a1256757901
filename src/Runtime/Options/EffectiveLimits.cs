using Ember.Models.Catalog;

namespace Ember.Runtime.Options;

/// <summary>The catalog's limits with a model's configured overrides applied.</summary>
public static class EffectiveLimits
{
    /// <summary>Applies <paramref name="overrides"/> to <paramref name="catalog"/>, without validating the result.</summary>
    public static (int DefaultMaxTokens, int DefaultMaxTokensStream, int ContextTokensLimit, int SequenceTokensLimit) Compute(ModelLimits catalog, LimitOverrides overrides)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(overrides);
        return (
            overrides.DefaultMaxTokens ?? catalog.DefaultMaxTokens,
            overrides.DefaultMaxTokensStream ?? catalog.DefaultMaxTokensStream,
            overrides.ContextTokensLimit ?? catalog.ContextTokensLimit,
            overrides.SequenceTokensLimit ?? catalog.SequenceTokensLimit);
    }

    /// <summary>The validated limits as a <see cref="ModelLimits"/>.</summary>
    public static ModelLimits Resolve(ModelLimits catalog, LimitOverrides overrides)
    {
        var (defaultMax, streamMax, context, sequence) = Compute(catalog, overrides);
        return new ModelLimits(defaultMax, streamMax, context, sequence);
    }
}
