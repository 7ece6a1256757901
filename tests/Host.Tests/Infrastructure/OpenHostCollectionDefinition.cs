namespace Ember.Host.Tests.Infrastructure;

/// <summary>Tests that share the token-less host (<see cref="OpenHostFixture"/>).</summary>
[CollectionDefinition(Name)]
public sealed class OpenHostCollectionDefinition : ICollectionFixture<OpenHostFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Open host";
}
