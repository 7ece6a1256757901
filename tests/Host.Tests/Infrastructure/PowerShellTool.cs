using System.Diagnostics;
using System.Text;

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
    public static async Task<Result> RunAsync(IEnumerable<string> arguments, TimeSpan timeout)
    {
        await Restored.Value;
        return await RunDotnetAsync(["tool", "run", "pwsh", "-NoProfile", "-NonInteractive", .. arguments], timeout);
    }

    private static async Task RestoreAsync()
    {
        Result restore = await RunDotnetAsync(["tool", "restore"], RestoreTimeout);
        Assert.True(restore.ExitCode == 0, $"dotnet tool restore failed ({restore.ExitCode}) in {ReadmeHostFixture.RepositoryRoot}:\n{restore.Stderr}\n{restore.Stdout}");
    }

    private static async Task<Result> RunDotnetAsync(IEnumerable<string> arguments, TimeSpan timeout)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = ReadmeHostFixture.RepositoryRoot,
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

        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        startInfo.Environment["POWERSHELL_TELEMETRY_OPTOUT"] = "1";
        startInfo.Environment["POWERSHELL_UPDATECHECK"] = "Off";
        startInfo.Environment["NO_COLOR"] = "1";

        using var process = new Process { StartInfo = startInfo };
        process.Start();
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
            throw new TimeoutException($"'dotnet {string.Join(' ', startInfo.ArgumentList)}' ran past {timeout}:\n{await stderr}\n{await stdout}");
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>A finished run.</summary>
    /// <param name="ExitCode">The process's exit code.</param>
    /// <param name="Stdout">Everything it wrote to standard output.</param>
    /// <param name="Stderr">Everything it wrote to standard error.</param>
    public sealed record Result(int ExitCode, string Stdout, string Stderr);
}
