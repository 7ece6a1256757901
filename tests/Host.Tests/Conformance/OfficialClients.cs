using System.Text.Json;
using Ember.Tests.Shared;

namespace Ember.Host.Tests.Conformance;

/// <summary>
/// The official <c>cloudflare</c>, <c>openai</c> and AI SDK (<c>ai</c>, <c>@ai-sdk/openai-compatible</c>) npm clients in <c>Conformance/clients</c>: installs the pinned
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

    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    private readonly Lock _gate = new();
    private Task<JsonElement>? _run;

    /// <summary>Gets the package: the folder with <c>package.json</c>, the lock file and <c>conformance.mjs</c>.</summary>
    internal NodePackage Package { get; } = NodePackage.FromAssemblyMetadata("ConformanceClientsFolder");

    /// <summary>Gets the exact versions <c>package.json</c> pins, by package name.</summary>
    public IReadOnlyDictionary<string, string> PinnedVersions => Package.PinnedVersions;

    /// <inheritdoc />
    public Task InitializeAsync() => Package.EnsureInstalledAsync();

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

    private async Task<JsonElement> RunScriptAsync(Uri baseAddress, string token, IReadOnlyDictionary<string, string> inputs)
    {
        var environment = new Dictionary<string, string>(inputs)
        {
            ["EMBER_BASE_URL"] = baseAddress.GetLeftPart(UriPartial.Authority),
            ["EMBER_TOKEN"] = token,
            ["EMBER_ACCOUNT_ID"] = AccountId,
        };
        ProcessResult run = await Package.RunAsync("conformance.mjs", environment: environment, timeout: RunTimeout);
        Assert.True(run.ExitCode == 0, $"node conformance.mjs failed ({run.ExitCode}):\n{run.Stderr}\n{run.Stdout}");
        using JsonDocument document = JsonDocument.Parse(run.Stdout);
        return document.RootElement.Clone();
    }
}
