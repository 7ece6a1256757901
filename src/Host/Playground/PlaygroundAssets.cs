using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace Ember.Host.Playground;

/// <summary>
/// The playground's files, embedded in the host's assembly (<c>Playground/wwwroot</c>, resources named
/// <c>playground/&lt;file&gt;</c>): read once, served from memory, nothing fetched at run time. Thread-safe.
/// </summary>
internal sealed class PlaygroundAssets
{
    /// <summary>The page served at <c>/</c>.</summary>
    public const string IndexFile = "index.html";

    private const string ResourcePrefix = "playground/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private readonly FrozenDictionary<string, PlaygroundAsset> _files;

    private PlaygroundAssets(FrozenDictionary<string, PlaygroundAsset> files) => _files = files;

    /// <summary>Gets the files embedded in the host.</summary>
    public static PlaygroundAssets Embedded { get; } = Load(typeof(PlaygroundAssets).Assembly);

    /// <summary>Gets the names of the files, for tests.</summary>
    public IEnumerable<string> Names => _files.Keys;

    /// <summary>Finds a file by its name under <c>/playground/</c>; names are compared ordinally.</summary>
    /// <param name="name">The file name.</param>
    /// <param name="asset">The file, when found.</param>
    /// <returns>Whether it exists.</returns>
    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PlaygroundAsset? asset) =>
        _files.TryGetValue(name, out asset);

    private static PlaygroundAssets Load(Assembly assembly)
    {
        var files = new Dictionary<string, PlaygroundAsset>(StringComparer.Ordinal);
        foreach (string resource in assembly.GetManifestResourceNames().Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            string name = resource[ResourcePrefix.Length..];
            string contentType = ContentTypes.GetValueOrDefault(Path.GetExtension(name))
                ?? throw new InvalidOperationException($"The playground file '{name}' has no known media type.");
            using Stream stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            byte[] content = copy.ToArray();
            string etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content))[..16] + "\"";
            files[name] = new PlaygroundAsset(name, contentType, content, etag);
        }

        return new PlaygroundAssets(files.ToFrozenDictionary(StringComparer.Ordinal));
    }
}
