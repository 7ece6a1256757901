using Ember.Tests.Shared;

namespace Ember.Host.Tests;

/// <summary>
/// The Host's namespaces form layers: no namespace depends, through any chain, on itself; and every edge shows as a
/// <c>using</c> line (no type named by a qualified name such as <c>Batch.BatchMeters</c>).
/// </summary>
public sealed class NamespaceLayersTests
{
    private static readonly SourceNamespaceReferences Sources = new(Path.Combine(RealTokenizers.RepositoryRoot, "src", "Host"));
    private static readonly NamespaceGraph Graph = NamespaceGraph.Of(typeof(EmberHost).Assembly, Sources);

    [Fact]
    public void Namespaces_OfTheHost_FormNoCycle()
    {
        var cycles = Graph.Cycles();

        Assert.True(cycles.Count == 0, "Namespace cycles in src/Host:\n" + string.Join("\n", cycles));
    }

    [Theory]
    [InlineData("Ember.Host.Endpoints", "Ember.Host.Responses")]
    [InlineData("Ember.Host.Endpoints", "Ember.Host.Validation")]
    [InlineData("Ember.Host.Responses", "Ember.Host.Errors")]
    [InlineData("Ember.Host.Errors", "Ember.Host.Routing")]
    [InlineData("Ember.Host.Batch", "Ember.Host.Responses")]
    [InlineData("Ember.Host.Json", "Ember.Host.Wire.OpenAi")]
    [InlineData("Ember.Host.Wire.OpenAi", "Ember.Host.Wire")]
    public void Namespaces_OfTheHost_DependDownward(string from, string to)
    {
        Assert.True(Graph.HasEdge(from, to), $"{from} → {to} was not found.");
        Assert.False(Graph.HasEdge(to, from), $"{to} → {from} goes back up.");
    }

    [Theory]
    [InlineData("Ember.Host.Errors")]
    [InlineData("Ember.Host.Responses")]
    [InlineData("Ember.Host.Validation")]
    public void Namespace_BelowTheEndpoints_DoesNotDependOnThem(string below)
    {
        Assert.False(Graph.HasEdge(below, "Ember.Host.Endpoints"), $"{below} → Ember.Host.Endpoints.");
    }

    [Fact]
    public void SourceFiles_OfTheHost_NameOtherNamespacesThroughUsingLines()
    {
        var qualified = Sources.QualifiedNames(NamespaceGraph.TypeNames(typeof(EmberHost).Assembly)).ToArray();

        Assert.True(Sources.FileCount > 100, $"Only {Sources.FileCount} source files were read.");
        Assert.True(qualified.Length == 0, "Qualified names instead of using lines:\n" + string.Join("\n", qualified));
    }
}
