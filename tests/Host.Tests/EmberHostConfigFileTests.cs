using System.Diagnostics;
using System.Runtime.Versioning;

namespace Ember.Host.Tests;

/// <summary>
/// A configuration file the host cannot use: the host runs as its own process (Program → <c>RunAsync</c>), as an
/// operator or the container starts it, and must exit with 1 and one line on standard error naming the file, not a
/// stack trace. The container smoke test (<c>scripts/container/smoke.sh</c>) expects the same lines.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class EmberHostConfigFileTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    // Readable and searchable by everyone: the unreadable-file case runs the host as another user when this is root.
    private readonly string _folder = Directory.CreateDirectory(
        Path.Combine(Path.GetTempPath(), "ember-config-file-" + Guid.NewGuid().ToString("N")),
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherExecute).FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task RunAsync_NoConfigFileFound_ExitsWithOneNamingWhereItLooked()
    {
        (int exitCode, string error) = await RunHostAsync([]);

        Assert.Equal(1, exitCode);
        Assert.Equal($"No runtime.json in {_folder} or above it; pass --config <file>.\n", error);
    }

    [Fact]
    public async Task RunAsync_GivenConfigFileMissing_ExitsWithOneNamingTheFile()
    {
        string file = Path.Combine(_folder, "missing.json");

        (int exitCode, string error) = await RunHostAsync(["--config", file]);

        Assert.Equal(1, exitCode);
        Assert.Equal($"The configuration file '{file}' (--config) does not exist.\n", error);
    }

    [Fact]
    public async Task RunAsync_ConfigFileUnreadable_ExitsWithOneNamingTheFile()
    {
        string file = Path.Combine(_folder, "runtime.json");
        await File.WriteAllTextAsync(file, "{}");
        File.SetUnixFileMode(file, UnixFileMode.None);

        // Root reads a file of mode 000 anyway: run the host as nobody then, as the container runs it as user 10001.
        (int exitCode, string error) = await RunHostAsync(["--config", file], runAs: Environment.UserName == "root" ? "nobody" : null);

        Assert.Equal(1, exitCode);
        Assert.Equal($"The configuration file '{file}' cannot be read: permission denied.\n", error);
    }

    [Theory]
    [InlineData("{ \"Ember\": ", "is not valid JSON: Expected depth to be zero at the end of the JSON payload. There is an open JSON object or array that should be closed. LineNumber: 0 | BytePositionInLine: 11.")]
    [InlineData("", "is not valid JSON: The input does not contain any JSON tokens. Expected the input to start with a valid JSON token, when isFinalBlock is true. LineNumber: 0 | BytePositionInLine: 0.")]
    [InlineData("[1]", "is not a valid configuration: Top-level JSON element must be an object. Instead, 'Array' was found.")]
    [InlineData("{\"Auth\":1,\"auth\":2}", "is not a valid configuration: A duplicate key 'auth' was found.")]
    public async Task RunAsync_ConfigFileNotValid_ExitsWithOneNamingTheFile(string content, string expected)
    {
        string file = Path.Combine(_folder, "runtime.json");
        await File.WriteAllTextAsync(file, content);

        (int exitCode, string error) = await RunHostAsync(["--config", file]);

        Assert.Equal(1, exitCode);
        Assert.Equal($"The configuration file '{file}' {expected}\n", error);
    }

    [Fact]
    public async Task RunAsync_FoundConfigFileNotValid_ExitsWithOneNamingTheFile()
    {
        string file = Path.Combine(_folder, EmberHost.DefaultConfigFile);
        await File.WriteAllTextAsync(file, "{,}");

        (int exitCode, string error) = await RunHostAsync([]);

        Assert.Equal(1, exitCode);
        Assert.Equal($"The configuration file '{file}' is not valid JSON: ',' is an invalid start of a property name. Expected a '\"'. LineNumber: 0 | BytePositionInLine: 1.\n", error);
    }

    /// <summary>Runs the host in <see cref="_folder"/> (its content root) until it exits, bounded; returns its exit code and standard error.</summary>
    private async Task<(int ExitCode, string Error)> RunHostAsync(string[] arguments, string? runAs = null)
    {
        string[] host = ["dotnet", Path.Combine(AppContext.BaseDirectory, "Ember.Host.dll"), .. arguments, "--urls", "http://127.0.0.1:0"];
        string[] command = runAs is null ? host : ["runuser", "-u", runAs, "--", .. host];
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _folder,
        };
        foreach (string argument in command[1..])
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(s_timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The host did not exit within {s_timeout.TotalSeconds:F0} s: {await output}{await error}");
        }

        await output;
        return (process.ExitCode, await error);
    }
}
