using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace Ember.Host.Tests.Conformance;

/// <summary>
/// The official <c>cloudflare</c> and <c>openai</c> npm clients in <c>Conformance/clients</c>: installs the pinned
/// versions with <c>npm ci</c> once (when <c>node_modules</c> lacks them) and runs <c>conformance.mjs</c> against a host.
/// </summary>
/// <remarks>
/// A missing <c>node</c> or <c>npm</c>, a failed install or a failing script fails the tests; nothing is skipped.
/// Thread-safe: the first <see cref="RunAsync"/> runs the script, later calls share its task (and its result or failure).
/// </remarks>
public sealed class OfficialClients : IAsyncLifetime
{
    /// <summary>The account id the clients put in their paths.</summary>
    public const string AccountId = "conformance";

    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    private readonly Lock _gate = new();
    private Task<JsonElement>? _run;

    /// <summary>Gets the folder with <c>package.json</c>, the lock file and <c>conformance.mjs</c>.</summary>
    public static string Folder { get; } = typeof(OfficialClients).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(attribute => attribute.Key == "ConformanceClientsFolder").Value!;

    /// <summary>Gets the exact versions <c>package.json</c> pins, by package name.</summary>
    public IReadOnlyDictionary<string, string> PinnedVersions { get; private set; } = new Dictionary<string, string>();

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        using JsonDocument package = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Folder, "package.json")));
        PinnedVersions = package.RootElement.GetProperty("dependencies").EnumerateObject()
            .ToDictionary(property => property.Name, property => property.Value.GetString()!);
        if (!PinnedVersions.All(pin => InstalledVersion(pin.Key) == pin.Value))
        {
            ProcessResult install = await RunProcessAsync("npm", ["ci", "--no-audit", "--no-fund"], new Dictionary<string, string>(), InstallTimeout);
            Assert.True(install.ExitCode == 0, $"npm ci failed ({install.ExitCode}) in {Folder}:\n{install.Stderr}\n{install.Stdout}");
        }

        foreach ((string name, string version) in PinnedVersions)
        {
            Assert.Equal(version, InstalledVersion(name));
        }
    }

    /// <inheritdoc />
    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Runs <c>conformance.mjs</c> against a host once, and returns the JSON object it printed.</summary>
    /// <param name="baseAddress">The host's root address.</param>
    /// <param name="token">The bearer token the host accepts.</param>
    /// <param name="inputs">The script's inputs, as its <c>EMBER_*</c> environment variables.</param>
    /// <returns>The printed object, cloned.</returns>
    public Task<JsonElement> RunAsync(Uri baseAddress, string token, IReadOnlyDictionary<string, string> inputs)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        ArgumentNullException.ThrowIfNull(inputs);
        lock (_gate)
        {
            return _run ??= RunScriptAsync(baseAddress, token, inputs);
        }
    }

    private static async Task<JsonElement> RunScriptAsync(Uri baseAddress, string token, IReadOnlyDictionary<string, string> inputs)
    {
        var environment = new Dictionary<string, string>(inputs)
        {
            ["EMBER_BASE_URL"] = baseAddress.GetLeftPart(UriPartial.Authority),
            ["EMBER_TOKEN"] = token,
            ["EMBER_ACCOUNT_ID"] = AccountId,
        };
        ProcessResult run = await RunProcessAsync("node", ["conformance.mjs"], environment, RunTimeout);
        Assert.True(run.ExitCode == 0, $"node conformance.mjs failed ({run.ExitCode}):\n{run.Stderr}\n{run.Stdout}");
        using JsonDocument document = JsonDocument.Parse(run.Stdout);
        return document.RootElement.Clone();
    }

    private static string? InstalledVersion(string name)
    {
        string file = Path.Combine(Folder, "node_modules", name, "package.json");
        if (!File.Exists(file))
        {
            return null;
        }

        using JsonDocument package = JsonDocument.Parse(File.ReadAllText(file));
        return package.RootElement.GetProperty("version").GetString();
    }

    private static async Task<ProcessResult> RunProcessAsync(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach ((string name, string value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException($"Cannot start '{fileName}' (Node.js 20+ and npm must be on PATH): {exception.Message}", exception);
        }

        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"'{fileName} {string.Join(' ', startInfo.ArgumentList)}' ran past {timeout}:\n{await stderr}\n{await stdout}");
        }

        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }

    private sealed record ProcessResult(int ExitCode, string Stdout, string Stderr);
}
