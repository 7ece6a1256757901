namespace Ember.Host.Tests.Infrastructure;

/// <summary>Tests that share one throwaway PostgreSQL server (<see cref="PostgresServerFixture"/>).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollectionDefinition : ICollectionFixture<PostgresServerFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "PostgreSQL";
}
