using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;

namespace Ember.Tests.Shared;

/// <summary>
/// A folder of Node.js scripts with a <c>package.json</c> that pins exact versions and its <c>package-lock.json</c>:
/// installs them with <c>npm ci</c> when <c>node_modules</c> lacks them, and runs <c>node &lt;script&gt;</c> in the folder.
/// </summary>
/// <remarks>
/// A missing <c>node</c> or <c>npm</c>, a failed install or a version other than the pinned one after it is an
/// exception: the tests that use the package fail, nothing is skipped. Thread-safe: the install runs at most once per
/// folder in the test run, however many instances name it, and every caller waits for that one (and shares its failure).
/// Runs are independent processes and may overlap.
/// </remarks>
internal sealed class NodePackage
{
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan DefaultRunTimeout = TimeSpan.FromSeconds(60);
    private static readonly ConcurrentDictionary<string, Lazy<Task>> Installs = new(StringComparer.Ordinal);

    /// <summary>Initializes a package for a folder, reading the versions its <c>package.json</c> pins.</summary>
    /// <param name="folder">The folder with <c>package.json</c>, <c>package-lock.json</c> and the scripts.</param>
    public NodePackage(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        Folder = Path.GetFullPath(folder);
        using JsonDocument package = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "package.json")));
        PinnedVersions = package.RootElement.GetProperty("dependencies").EnumerateObject()
            .ToDictionary(property => property.Name, property => property.Value.GetString()!);
    }

    /// <summary>Gets the package folder, as a full path.</summary>
    public string Folder { get; }

    /// <summary>Gets the exact versions <c>package.json</c> pins, by package name.</summary>
    public IReadOnlyDictionary<string, string> PinnedVersions { get; }

    /// <summary>The package in the folder that the test assembly's <see cref="AssemblyMetadataAttribute"/> names.</summary>
    /// <param name="key">The attribute's key, as the test project's <c>.csproj</c> sets it.</param>
    /// <returns>The package.</returns>
    public static NodePackage FromAssemblyMetadata(string key) => new(typeof(NodePackage).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(attribute => attribute.Key == key).Value!);

    /// <summary>Installs the pinned versions with <c>npm ci</c> unless <c>node_modules</c> has them all already.</summary>
    /// <returns>A task that completes once they are installed.</returns>
    public Task EnsureInstalledAsync() => Installs.GetOrAdd(Folder, _ => new Lazy<Task>(InstallAsync)).Value;

    /// <summary>Runs <c>node <paramref name="script"/></c> in the folder, after <see cref="EnsureInstalledAsync"/>.</summary>
    /// <param name="script">The script, relative to the folder.</param>
    /// <param name="arguments">The script's arguments.</param>
    /// <param name="environment">Variables added to the inherited environment.</param>
    /// <param name="standardInput">Text written to the script's standard input, which is then closed; none when null.</param>
    /// <param name="timeout">How long the script may run (default 60 s); past it the process tree is killed and a <see cref="TimeoutException"/> thrown.</param>
    /// <returns>The exit code and what the script printed; a non-zero exit is the caller's to judge.</returns>
    public async Task<ProcessResult> RunAsync(
        string script,
        IReadOnlyList<string>? arguments = null,
        IReadOnlyDictionary<string, string>? environment = null,
        string? standardInput = null,
        TimeSpan? timeout = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(script);
        await EnsureInstalledAsync();
        return await RunProcessAsync("node", [script, .. arguments ?? []], environment, standardInput, timeout ?? DefaultRunTimeout);
    }

    private async Task InstallAsync()
    {
        if (PinnedVersions.All(pin => InstalledVersion(pin.Key) == pin.Value))
        {
            return;
        }

        // From the npm registry, with no apt step: a machine that never ran apt-get update installs these as any other.
        Console.Error.WriteLine($"npm ci --no-audit --no-fund in {Folder}: node_modules lacks the versions package.json pins");
        ProcessResult install = await RunProcessAsync("npm", ["ci", "--no-audit", "--no-fund"], environment: null, standardInput: null, InstallTimeout);
        if (install.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm ci failed ({install.ExitCode}) in {Folder}:\n{install.Stderr}\n{install.Stdout}");
        }

        string[] wrong = PinnedVersions.Where(pin => InstalledVersion(pin.Key) != pin.Value)
            .Select(pin => $"{pin.Key}: pinned {pin.Value}, installed {InstalledVersion(pin.Key) ?? "none"}")
            .ToArray();
        if (wrong.Length > 0)
        {
            throw new InvalidOperationException($"npm ci in {Folder} did not install the versions package.json pins (it must pin exact versions, as its lock file does):\n{string.Join('\n', wrong)}");
        }
    }

    private string? InstalledVersion(string name)
    {
        string file = Path.Combine(Folder, "node_modules", name, "package.json");
        if (!File.Exists(file))
        {
            return null;
        }

        using JsonDocument package = JsonDocument.Parse(File.ReadAllText(file));
        return package.RootElement.GetProperty("version").GetString();
    }

    private Task<ProcessResult> RunProcessAsync(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment, string? standardInput, TimeSpan timeout) =>
        ChildProcess.RunAsync(fileName, arguments, Folder, timeout, environment, standardInput);
}
