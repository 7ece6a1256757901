namespace Ember.Host.Tests.Infrastructure;

/// <summary>Tests that share the scripted host (<see cref="ScriptedHostFixture"/>).</summary>
[CollectionDefinition(Name)]
public sealed class ScriptedHostCollectionDefinition : ICollectionFixture<ScriptedHostFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Scripted host";
}
