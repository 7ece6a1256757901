namespace Ember.Host.Configuration;

/// <summary>Authentication settings, bound from the <c>Auth</c> configuration section.</summary>
public sealed class AuthOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Auth";

    /// <summary>Gets the bearer tokens accepted in <c>Authorization: Bearer …</c>.</summary>
    /// <value>
    /// Empty by default. With none configured the host serves only while every address it listens on is a
    /// loopback address, and refuses to start otherwise.
    /// </value>
    public IList<string> Tokens { get; } = [];
}
