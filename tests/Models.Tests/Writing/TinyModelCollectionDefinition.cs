namespace Ember.Models.Tests.Writing;

/// <summary>The tests that share one <see cref="TinyModelFolder"/>: the tiny model is written and loaded once.</summary>
[CollectionDefinition(Name)]
public sealed class TinyModelCollectionDefinition : ICollectionFixture<TinyModelFolder>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Tiny model";
}
