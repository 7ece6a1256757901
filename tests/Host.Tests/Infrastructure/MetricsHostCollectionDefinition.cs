namespace Ember.Host.Tests.Infrastructure;

/// <summary>The metrics tests, on their own host (<see cref="MetricsHostFixture"/>), one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class MetricsHostCollectionDefinition : ICollectionFixture<MetricsHostFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Metrics host";
}
