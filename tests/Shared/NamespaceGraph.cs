using System.Reflection;
using System.Runtime.CompilerServices;

namespace Ember.Tests.Shared;

/// <summary>
/// The namespaces of one assembly and which of them depends on which: an edge wherever a type of one names a type of
/// another (base type, interfaces, fields, properties, events, signatures, attributes, locals and the operands of method
/// bodies, found by reflection) and wherever a source file's <c>using</c> line names another.
/// </summary>
/// <remarks>Built once, immutable afterwards. Each edge keeps one example (the first in ordinal order) to name in a failure.</remarks>
internal sealed class NamespaceGraph
{
    /// <summary>The name given to the global namespace (top-level statements).</summary>
    public const string GlobalNamespace = "(global)";

    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;

    private readonly SortedDictionary<string, SortedDictionary<string, string>> _edges = new(StringComparer.Ordinal);

    private NamespaceGraph()
    {
    }

    /// <summary>The namespaces that hold types, in ordinal order.</summary>
    public IReadOnlyList<string> Namespaces => [.. _edges.Keys];

    /// <summary>Builds the graph of <paramref name="assembly"/>, with the <c>using</c> lines of its sources.</summary>
    /// <param name="assembly">The compiled assembly.</param>
    /// <param name="sources">Its source files.</param>
    public static NamespaceGraph Of(Assembly assembly, SourceNamespaceReferences sources)
    {
        var graph = new NamespaceGraph();
        var types = assembly.GetTypes();
        foreach (var type in types)
        {
            graph._edges.TryAdd(NamespaceOf(type), new(StringComparer.Ordinal));
        }

        foreach (var type in types.OrderBy(type => type.FullName, StringComparer.Ordinal))
        {
            foreach (var named in Named(type).SelectMany(Unwrap).Where(named => named.Assembly == assembly && !IsCompilerGenerated(named)))
            {
                graph.Add(NamespaceOf(type), NamespaceOf(named), $"{type.FullName} → {named.FullName}");
            }
        }

        var namespaces = new HashSet<string>(graph._edges.Keys, StringComparer.Ordinal);
        foreach (var (from, to, where) in sources.UsingEdges(namespaces))
        {
            graph.Add(from, to, "using line at " + where);
        }

        return graph;
    }

    /// <summary>Builds a graph from edges given by hand (for the graph's own tests).</summary>
    public static NamespaceGraph FromEdges(params (string From, string To)[] edges)
    {
        var graph = new NamespaceGraph();
        foreach (var (from, to) in edges)
        {
            graph._edges.TryAdd(to, new(StringComparer.Ordinal));
            graph.Add(from, to, "given");
        }

        return graph;
    }

    /// <summary>The namespace's types' names, by namespace: top-level types the compiler did not generate.</summary>
    public static IReadOnlyDictionary<string, IReadOnlySet<string>> TypeNames(Assembly assembly) =>
        assembly.GetTypes()
            .Where(type => !type.IsNested && type.GetCustomAttribute<CompilerGeneratedAttribute>() is null && type.Namespace is not null)
            .GroupBy(type => type.Namespace!)
            .ToDictionary(group => group.Key, group => (IReadOnlySet<string>)group.Select(type => type.Name.Split('`')[0]).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);

    /// <summary>Whether <paramref name="from"/> depends on <paramref name="to"/> directly.</summary>
    public bool HasEdge(string from, string to) => _edges.TryGetValue(from, out var targets) && targets.ContainsKey(to);

    /// <summary>
    /// The cycles: each strongly connected set of two or more namespaces, described by its namespaces and every edge
    /// between them with an example. Empty when the namespaces are layered.
    /// </summary>
    public IReadOnlyList<string> Cycles()
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var found = new List<string>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in _edges[node].Keys)
            {
                if (!index.TryGetValue(next, out var nextIndex))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[node] = Math.Min(low[node], nextIndex);
                }
            }

            if (low[node] == index[node])
            {
                var component = new SortedSet<string>(StringComparer.Ordinal);
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);

                if (component.Count > 1)
                {
                    var edges = from source in component
                                from edge in _edges[source]
                                where component.Contains(edge.Key)
                                select $"  {source} → {edge.Key} ({edge.Value})";
                    found.Add($"{string.Join(", ", component)}:\n{string.Join("\n", edges)}");
                }
            }
        }

        foreach (var node in _edges.Keys)
        {
            if (!index.ContainsKey(node))
            {
                Visit(node);
            }
        }

        return found;
    }

    private void Add(string from, string to, string example)
    {
        if (from == to)
        {
            return;
        }

        _edges.TryAdd(to, new(StringComparer.Ordinal));
        if (!_edges.TryGetValue(from, out var targets))
        {
            _edges[from] = targets = new(StringComparer.Ordinal);
        }

        targets.TryAdd(to, example);
    }

    private static string NamespaceOf(Type type) => type.Namespace ?? GlobalNamespace;

    /// <summary>A type the compiler emits on its own (<c>&lt;PrivateImplementationDetails&gt;</c>, embedded attributes), which no source names.</summary>
    private static bool IsCompilerGenerated(Type type)
    {
        var outer = type;
        while (outer.DeclaringType is { } declaring)
        {
            outer = declaring;
        }

        return outer.Name.StartsWith('<') || outer.GetCustomAttribute<CompilerGeneratedAttribute>() is not null;
    }

    private static IEnumerable<Type> Named(Type type)
    {
        if (type.BaseType is { } baseType)
        {
            yield return baseType;
        }

        foreach (var named in type.GetInterfaces().Concat(Attributes(type.CustomAttributes)))
        {
            yield return named;
        }

        foreach (var member in type.GetMembers(Declared))
        {
            foreach (var named in Attributes(member.CustomAttributes))
            {
                yield return named;
            }

            switch (member)
            {
                case FieldInfo field:
                    yield return field.FieldType;
                    break;
                case PropertyInfo property:
                    yield return property.PropertyType;
                    break;
                case EventInfo @event when @event.EventHandlerType is { } handler:
                    yield return handler;
                    break;
                case MethodBase method:
                    foreach (var named in Signature(method).Concat(IlTypeReferences.Of(method)))
                    {
                        yield return named;
                    }

                    break;
                default:
                    break;
            }
        }
    }

    private static IEnumerable<Type> Signature(MethodBase method)
    {
        if (method is MethodInfo info)
        {
            yield return info.ReturnType;
        }

        foreach (var parameter in method.GetParameters())
        {
            yield return parameter.ParameterType;
            foreach (var named in Attributes(parameter.CustomAttributes))
            {
                yield return named;
            }
        }
    }

    private static IEnumerable<Type> Attributes(IEnumerable<CustomAttributeData> attributes)
    {
        foreach (var attribute in attributes)
        {
            yield return attribute.AttributeType;
            foreach (var argument in attribute.ConstructorArguments.Concat(attribute.NamedArguments.Select(named => named.TypedValue)))
            {
                yield return argument.ArgumentType;
                if (argument.Value is Type typeArgument)
                {
                    yield return typeArgument;
                }
            }
        }
    }

    private static IEnumerable<Type> Unwrap(Type type)
    {
        if (type.IsGenericParameter)
        {
            yield break;
        }

        if (type.HasElementType)
        {
            foreach (var element in Unwrap(type.GetElementType()!))
            {
                yield return element;
            }

            yield break;
        }

        if (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            yield return type.GetGenericTypeDefinition();
            foreach (var argument in type.GetGenericArguments().SelectMany(Unwrap))
            {
                yield return argument;
            }

            yield break;
        }

        yield return type;
    }
}
