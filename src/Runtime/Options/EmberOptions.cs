namespace Ember.Runtime.Options;

/// <summary>The runtime's configuration: the <c>Ember</c> section of <c>runtime.json</c>.</summary>
public sealed class EmberOptions
{
    /// <summary>The configuration section's name.</summary>
    public const string SectionName = "Ember";

    /// <summary>The served models, keyed by catalog model id.</summary>
    public Dictionary<string, ModelOptions> Models { get; set; } = new(StringComparer.Ordinal);
}
