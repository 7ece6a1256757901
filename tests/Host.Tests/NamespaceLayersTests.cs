using Ember.Tests.Shared;

namespace Ember.Host.Tests;

/// <summary>
/// The Host's namespaces form layers: no namespace depends, through any chain, on itself; and every edge shows as a
/// <c>using</c> line (no type named by a qualified name such as <c>Batch.BatchMeters</c>).
/// </summary>
public sealed class NamespaceLayersTests
{
    private static readonly NamespaceLayers Layers = new(typeof(EmberHost).Assembly, "Host");

    [Fact]
    public void Namespaces_OfTheHost_FormNoCycle() => Layers.AssertNoCycle();

    [Theory]
    [InlineData("Ember.Host.Endpoints", "Ember.Host.Responses")]
    [InlineData("Ember.Host.Endpoints", "Ember.Host.Validation")]
    [InlineData("Ember.Host.Responses", "Ember.Host.Errors")]
    [InlineData("Ember.Host.Errors", "Ember.Host.Routing")]
    [InlineData("Ember.Host.Batch", "Ember.Host.Responses")]
    [InlineData("Ember.Host.Json", "Ember.Host.Wire.OpenAi")]
    [InlineData("Ember.Host.Wire.OpenAi", "Ember.Host.Wire")]
    public void Namespaces_OfTheHost_DependDownward(string from, string to) => Layers.AssertDownward(from, to);

    [Theory]
    [InlineData("Ember.Host.Errors")]
    [InlineData("Ember.Host.Responses")]
    [InlineData("Ember.Host.Validation")]
    public void Namespace_BelowTheEndpoints_DoesNotDependOnThem(string below)
    {
        Assert.False(Layers.Graph.HasEdge(below, "Ember.Host.Endpoints"), $"{below} → Ember.Host.Endpoints.");
    }

    [Fact]
    public void SourceFiles_OfTheHost_NameOtherNamespacesThroughUsingLines() => Layers.AssertUsingLinesOnly();
}
