using Ember.Tests.Shared;

namespace Ember.Host.Tests.Infrastructure;

/// <summary>
/// Real PowerShell: the <c>pwsh</c> of the PowerShell dotnet tool that <c>.config/dotnet-tools.json</c> pins, restored
/// with <c>dotnet tool restore</c> and run with <c>dotnet tool run pwsh</c> from the repository root.
/// </summary>
/// <remarks>
/// A failed restore or a pwsh that does not start fails the caller; nothing is skipped. Thread-safe: the restore runs
/// once per test run (a no-op when the tool is already in the NuGet cache) and every caller awaits that one.
/// </remarks>
internal static class PowerShellTool
{
    private static readonly TimeSpan RestoreTimeout = TimeSpan.FromMinutes(5);
    private static readonly Lazy<Task> Restored = new(RestoreAsync);

    /// <summary>Runs <c>pwsh -NoProfile -NonInteractive</c> with the arguments, in the repository root.</summary>
    /// <param name="arguments">What follows <c>-NonInteractive</c>: <c>-File script args…</c> or <c>-Command text</c>.</param>
    /// <param name="timeout">How long it may run before it is killed and this throws.</param>
    /// <returns>The exit code and both outputs.</returns>
    public static async Task<ProcessResult> RunAsync(IEnumerable<string> arguments, TimeSpan timeout)
    {
        await Restored.Value;
        return await RunDotnetAsync(["tool", "run", "pwsh", "-NoProfile", "-NonInteractive", .. arguments], timeout);
    }

    private static async Task RestoreAsync()
    {
        // From NuGet, with no apt step: a machine that never ran apt-get update restores it as any other.
        Console.Error.WriteLine("dotnet tool restore (pwsh, pinned in .config/dotnet-tools.json, for the Windows service scripts' tests)");
        ProcessResult restore = await RunDotnetAsync(["tool", "restore"], RestoreTimeout);
        Assert.True(restore.ExitCode == 0, $"dotnet tool restore failed ({restore.ExitCode}) in {ReadmeHostFixture.RepositoryRoot}:\n{restore.Stderr}\n{restore.Stdout}");
    }

    private static Task<ProcessResult> RunDotnetAsync(IEnumerable<string> arguments, TimeSpan timeout) =>
        ChildProcess.RunAsync("dotnet", arguments, ReadmeHostFixture.RepositoryRoot, timeout, new Dictionary<string, string>
        {
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["POWERSHELL_TELEMETRY_OPTOUT"] = "1",
            ["POWERSHELL_UPDATECHECK"] = "Off",
            ["NO_COLOR"] = "1",
        });
}
