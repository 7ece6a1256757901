namespace Ember.Host.Tests.Infrastructure;

/// <summary>The LoRA tests, on their own host (<see cref="LoraHostFixture"/>).</summary>
[CollectionDefinition(Name)]
public sealed class LoraHostCollectionDefinition : ICollectionFixture<LoraHostFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "LoRA host";
}
