namespace Ember.Host.Tests.Infrastructure;

/// <summary>Tests that share the main host (<see cref="EmberHostFixture"/>).</summary>
[CollectionDefinition(Name)]
public sealed class EmberHostCollectionDefinition : ICollectionFixture<EmberHostFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Ember host";
}
