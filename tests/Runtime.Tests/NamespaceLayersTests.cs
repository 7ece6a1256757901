using Ember.Runtime.Options;
using Ember.Tests.Shared;

namespace Ember.Runtime.Tests;

/// <summary>
/// The Runtime's namespaces form layers: no namespace depends, through any chain, on itself; and every edge shows as a
/// <c>using</c> line (no type named by a qualified name such as <c>Generation.AiErrorKind</c>).
/// </summary>
public sealed class NamespaceLayersTests
{
    private static readonly SourceNamespaceReferences Sources = new(Path.Combine(RealTokenizers.RepositoryRoot, "src", "Runtime"));
    private static readonly NamespaceGraph Graph = NamespaceGraph.Of(typeof(EmberOptions).Assembly, Sources);

    [Fact]
    public void Namespaces_OfTheRuntime_FormNoCycle()
    {
        var cycles = Graph.Cycles();

        Assert.True(cycles.Count == 0, "Namespace cycles in src/Runtime:\n" + string.Join("\n", cycles));
    }

    [Theory]
    [InlineData("Ember.Runtime.Scheduling", "Ember.Runtime.Engine")]
    [InlineData("Ember.Runtime.Pool", "Ember.Runtime.Scheduling")]
    [InlineData("Ember.Runtime.Service", "Ember.Runtime.Pool")]
    [InlineData("Ember.Runtime.Service", "Ember.Runtime.Structured")]
    [InlineData("Ember.Runtime.Structured", "Ember.Runtime.Generation")]
    [InlineData("Ember.Runtime.Engine", "Ember.Runtime.Options")]
    public void Namespaces_OfTheRuntime_DependDownward(string from, string to)
    {
        Assert.True(Graph.HasEdge(from, to), $"{from} → {to} was not found.");
        Assert.False(Graph.HasEdge(to, from), $"{to} → {from} goes back up.");
    }

    [Fact]
    public void Generation_TheContracts_DependOnNoOtherRuntimeNamespace()
    {
        var above = Graph.Namespaces.Where(name => name.StartsWith("Ember.Runtime.", StringComparison.Ordinal) && Graph.HasEdge("Ember.Runtime.Generation", name));

        Assert.Empty(above);
    }

    [Fact]
    public void SourceFiles_OfTheRuntime_NameOtherNamespacesThroughUsingLines()
    {
        var qualified = Sources.QualifiedNames(NamespaceGraph.TypeNames(typeof(EmberOptions).Assembly)).ToArray();

        Assert.True(Sources.FileCount > 100, $"Only {Sources.FileCount} source files were read.");
        Assert.True(qualified.Length == 0, "Qualified names instead of using lines:\n" + string.Join("\n", qualified));
    }
}
