using System.Text.RegularExpressions;

namespace Ember.Tests.Shared;

/// <summary>
/// What the C# files of a source folder say about namespaces: each file's namespace, its <c>using</c> lines, and the
/// types it names by a qualified name (<c>Generation.AiErrorKind</c>) instead of through a <c>using</c> line.
/// </summary>
/// <remarks>Reads the files once, when created; immutable afterwards.</remarks>
internal sealed partial class SourceNamespaceReferences
{
    private readonly List<(string File, string Namespace, string[] Lines)> _files = [];

    /// <summary>Reads every <c>.cs</c> file under <paramref name="folder"/>, leaving out <c>bin</c> and <c>obj</c>.</summary>
    /// <param name="folder">The project's folder.</param>
    public SourceNamespaceReferences(string folder)
    {
        foreach (var path in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(folder, path).Replace('\\', '/');
            if (relative.StartsWith("bin/", StringComparison.Ordinal) || relative.StartsWith("obj/", StringComparison.Ordinal))
            {
                continue;
            }

            var lines = File.ReadAllLines(path);
            var declared = lines.Select(line => NamespaceLine().Match(line)).FirstOrDefault(match => match.Success);
            _files.Add((relative, declared?.Groups[1].Value ?? NamespaceGraph.GlobalNamespace, lines));
        }
    }

    /// <summary>How many files were read.</summary>
    public int FileCount => _files.Count;

    /// <summary>
    /// Each <c>using</c> line that names one of <paramref name="namespaces"/> (as a namespace, a <c>using static</c>
    /// type or an alias): the file's namespace, the named one, and where.
    /// </summary>
    public IEnumerable<(string From, string To, string Where)> UsingEdges(IReadOnlySet<string> namespaces)
    {
        foreach (var (file, from, lines) in _files)
        {
            for (var i = 0; i < lines.Length; i++)
            {
                var match = UsingLine().Match(lines[i]);
                if (match.Success && Longest(match.Groups[1].Value, namespaces) is { } to)
                {
                    yield return (from, to, $"{file}:{i + 1}");
                }
            }
        }
    }

    /// <summary>
    /// Code (comments left out) that names a type of another of <paramref name="typesByNamespace"/>'s namespaces by a
    /// qualified name (<c>Generation.AiErrorKind</c>, <c>Ember.Runtime.Generation.AiErrorKind</c>), which a reader of
    /// <c>using</c> lines does not see: where, and the name.
    /// </summary>
    public IEnumerable<string> QualifiedNames(IReadOnlyDictionary<string, IReadOnlySet<string>> typesByNamespace)
    {
        foreach (var (file, from, lines) in _files)
        {
            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i];
                var comment = line.IndexOf("//", StringComparison.Ordinal);
                var code = comment >= 0 ? line[..comment] : line;
                if (UsingLine().IsMatch(code) || NamespaceLine().IsMatch(code))
                {
                    continue;
                }

                foreach (Match match in QualifiedName().Matches(code))
                {
                    var parts = match.Value.Split('.');
                    for (var split = 1; split < parts.Length; split++)
                    {
                        var qualifier = string.Join('.', parts[..split]);
                        var type = parts[split];
                        if (typesByNamespace.Any(pair => pair.Key != from && pair.Value.Contains(type)
                            && (pair.Key == qualifier || pair.Key.EndsWith("." + qualifier, StringComparison.Ordinal))))
                        {
                            yield return $"{file}:{i + 1}: {qualifier}.{type}";
                        }
                    }
                }
            }
        }
    }

    private static string? Longest(string name, IReadOnlySet<string> namespaces)
    {
        for (var candidate = name; candidate.Length > 0; candidate = candidate.LastIndexOf('.') is > 0 and var dot ? candidate[..dot] : "")
        {
            if (namespaces.Contains(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    [GeneratedRegex(@"^\s*namespace\s+([\w.]+)")]
    private static partial Regex NamespaceLine();

    [GeneratedRegex(@"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:\w+\s*=\s*)?([\w.]+)\s*;")]
    private static partial Regex UsingLine();

    [GeneratedRegex(@"(?<![\w.])[A-Z]\w*(?:\.[A-Z]\w*)+")]
    private static partial Regex QualifiedName();
}
