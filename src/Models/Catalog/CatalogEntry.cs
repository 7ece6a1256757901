using Ember.Models.Chat;

namespace Ember.Models.Catalog;

/// <summary>
/// One model that Ember can serve: its Workers AI id, its token limits, its chat template and the
/// weight variants it comes in.
/// </summary>
/// <remarks>Instances are immutable and safe to share between threads.</remarks>
/// <param name="Id">The Workers AI model id, such as <c>@cf/meta/llama-2-7b-chat-int8</c>; compared ordinally.</param>
/// <param name="Name">A short display name, the last segment of the id.</param>
/// <param name="Description">The description shown in the catalog.</param>
/// <param name="Source">Where the model comes from, matching the id's prefix.</param>
/// <param name="Limits">The token defaults and limits.</param>
/// <param name="Template">The chat template that turns messages into the model's prompt text.</param>
/// <param name="Variants">The weight variants offered, the preferred one (the one the id names) first; never empty.</param>
/// <param name="ContextLimitSource">
/// Whether <see cref="ModelLimits.ContextTokensLimit"/> is the page's figure, the model's own context length,
/// or chosen by this project.
/// </param>
public sealed record CatalogEntry(
    string Id,
    string Name,
    string Description,
    ModelSource Source,
    ModelLimits Limits,
    ChatTemplateKind Template,
    IReadOnlyList<ModelVariant> Variants,
    ContextLimitSource ContextLimitSource)
{
    /// <summary>Gets the preferred weight variant: the first of <see cref="Variants"/>.</summary>
    public ModelVariant DefaultVariant => Variants[0];

    /// <summary>Tells whether the model is offered in a given weight variant.</summary>
    /// <param name="variant">The variant asked for.</param>
    /// <returns><see langword="true"/> when <see cref="Variants"/> lists <paramref name="variant"/>.</returns>
    public bool Supports(ModelVariant variant) => Variants.Contains(variant);
}
