using Ember.Runtime.Options;
using Ember.Tests.Shared;

namespace Ember.Runtime.Tests;

/// <summary>
/// The Runtime's namespaces form layers: no namespace depends, through any chain, on itself; and every edge shows as a
/// <c>using</c> line (no type named by a qualified name such as <c>Generation.AiErrorKind</c>).
/// </summary>
public sealed class NamespaceLayersTests
{
    private static readonly NamespaceLayers Layers = new(typeof(EmberOptions).Assembly, "Runtime");

    [Fact]
    public void Namespaces_OfTheRuntime_FormNoCycle() => Layers.AssertNoCycle();

    [Theory]
    [InlineData("Ember.Runtime.Scheduling", "Ember.Runtime.Engine")]
    [InlineData("Ember.Runtime.Pool", "Ember.Runtime.Scheduling")]
    [InlineData("Ember.Runtime.Service", "Ember.Runtime.Pool")]
    [InlineData("Ember.Runtime.Service", "Ember.Runtime.Structured")]
    [InlineData("Ember.Runtime.Structured", "Ember.Runtime.Generation")]
    [InlineData("Ember.Runtime.Engine", "Ember.Runtime.Options")]
    public void Namespaces_OfTheRuntime_DependDownward(string from, string to) => Layers.AssertDownward(from, to);

    [Fact]
    public void Generation_TheContracts_DependOnNoOtherRuntimeNamespace()
    {
        var above = Layers.Graph.Namespaces.Where(name => name.StartsWith("Ember.Runtime.", StringComparison.Ordinal) && Layers.Graph.HasEdge("Ember.Runtime.Generation", name));

        Assert.Empty(above);
    }

    [Fact]
    public void SourceFiles_OfTheRuntime_NameOtherNamespacesThroughUsingLines() => Layers.AssertUsingLinesOnly();
}
