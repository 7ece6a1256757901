namespace Ember.Runtime.Options;

/// <summary>Per-model overrides of the catalog's limits; an absent value keeps the catalog's.</summary>
public sealed class LimitOverrides
{
    /// <summary>Default <c>max_tokens</c> when the caller sends none and does not stream.</summary>
    public int? DefaultMaxTokens { get; set; }

    /// <summary>Default <c>max_tokens</c> when the caller streams and sends none.</summary>
    public int? DefaultMaxTokensStream { get; set; }

    /// <summary>Most prompt plus generated tokens of one request.</summary>
    public int? ContextTokensLimit { get; set; }

    /// <summary>Most generated tokens of one request.</summary>
    public int? SequenceTokensLimit { get; set; }
}
