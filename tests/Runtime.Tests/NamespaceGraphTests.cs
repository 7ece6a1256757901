using Ember.Tests.Shared;

namespace Ember.Runtime.Tests;

/// <summary>The cycle finder the layer tests rely on, on graphs given by hand.</summary>
public sealed class NamespaceGraphTests
{
    [Fact]
    public void Cycles_ThreeNamespacesInARing_ReportsTheRingAndItsEdges()
    {
        var graph = NamespaceGraph.FromEdges(("A", "B"), ("B", "C"), ("C", "A"), ("C", "D"), ("D", "E"));

        var cycle = Assert.Single(graph.Cycles());

        Assert.Equal("A, B, C:\n  A → B (given)\n  B → C (given)\n  C → A (given)", cycle);
    }

    [Fact]
    public void Cycles_TwoSeparateCycles_ReportsEach()
    {
        var graph = NamespaceGraph.FromEdges(("A", "B"), ("B", "A"), ("C", "D"), ("D", "C"), ("B", "C"));

        Assert.Equal(["A, B:\n  A → B (given)\n  B → A (given)", "C, D:\n  C → D (given)\n  D → C (given)"], graph.Cycles().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Cycles_Layers_ReportsNone()
    {
        var graph = NamespaceGraph.FromEdges(("Top", "Middle"), ("Top", "Bottom"), ("Middle", "Bottom"));

        Assert.Empty(graph.Cycles());
        Assert.True(graph.HasEdge("Top", "Bottom"));
        Assert.False(graph.HasEdge("Bottom", "Top"));
    }
}
