using System.Reflection;

namespace Ember.Tests.Shared;

/// <summary>
/// The layer checks of one assembly, which each test project runs on its own: no namespace cycle, edges that go down,
/// and <c>using</c> lines rather than qualified names.
/// </summary>
/// <remarks>Reads the sources and builds the graph once, when created; immutable afterwards.</remarks>
internal sealed class NamespaceLayers
{
    private readonly Assembly _assembly;
    private readonly string _folder;
    private readonly SourceNamespaceReferences _sources;
    private readonly NamespaceGraph _graph;

    /// <summary>Reads <c>src/<paramref name="project"/></c> and builds the graph of <paramref name="assembly"/>.</summary>
    /// <param name="assembly">The compiled assembly.</param>
    /// <param name="project">Its folder under <c>src</c>.</param>
    public NamespaceLayers(Assembly assembly, string project)
    {
        _assembly = assembly;
        _folder = "src/" + project;
        _sources = new SourceNamespaceReferences(Path.Combine(RealTokenizers.RepositoryRoot, "src", project));
        _graph = NamespaceGraph.Of(assembly, _sources);
    }

    /// <summary>Gets the graph.</summary>
    public NamespaceGraph Graph => _graph;

    /// <summary>Fails naming every cycle and its edges.</summary>
    public void AssertNoCycle()
    {
        var cycles = _graph.Cycles();
        Assert.True(cycles.Count == 0, $"Namespace cycles in {_folder}:\n" + string.Join("\n", cycles));
    }

    /// <summary>Fails unless <paramref name="from"/> depends on <paramref name="to"/> and not the other way.</summary>
    public void AssertDownward(string from, string to)
    {
        Assert.True(_graph.HasEdge(from, to), $"{from} → {to} was not found.");
        Assert.False(_graph.HasEdge(to, from), $"{to} → {from} goes back up.");
    }

    /// <summary>Fails naming every place that names a type of another namespace by a qualified name.</summary>
    public void AssertUsingLinesOnly()
    {
        var qualified = _sources.QualifiedNames(NamespaceGraph.TypeNames(_assembly)).ToArray();

        Assert.True(_sources.FileCount > 100, $"Only {_sources.FileCount} source files were read in {_folder}.");
        Assert.True(qualified.Length == 0, "Qualified names instead of using lines:\n" + string.Join("\n", qualified));
    }
}
