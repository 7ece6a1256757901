namespace Ember.Models.Catalog;

/// <summary>
/// Where a catalog entry's <see cref="ModelLimits.ContextTokensLimit"/> (and, with it,
/// <see cref="ModelLimits.SequenceTokensLimit"/>) comes from.
/// </summary>
public enum ContextLimitSource
{
    /// <summary>The Workers AI text-generation page (2023) states the limit.</summary>
    CatalogPage,

    /// <summary>
    /// The page states no limit, so the model's own context length (its <c>max_position_embeddings</c>) is used.
    /// </summary>
    ModelContextLength,

    /// <summary>The limit is chosen by this project, for a model this project makes.</summary>
    Project,
}
