namespace Ember.Host.Tests.Infrastructure;

/// <summary>Tests that run the README's examples against <see cref="ReadmeHostFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class ReadmeHostCollectionDefinition : ICollectionFixture<ReadmeHostFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "README host";
}
