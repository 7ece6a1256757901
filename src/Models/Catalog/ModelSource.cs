namespace Ember.Models.Catalog;

/// <summary>
/// Where a catalog entry comes from, as shown by the prefix of its id.
/// </summary>
public enum ModelSource
{
    /// <summary>A Cloudflare-hosted model; the id starts with <c>@cf/</c>.</summary>
    Cloudflare,

    /// <summary>A Hugging Face model served by Cloudflare; the id starts with <c>@hf/</c>.</summary>
    HuggingFace,

    /// <summary>Ember's own model; the id starts with <c>@ember/</c>.</summary>
    Ember,
}
