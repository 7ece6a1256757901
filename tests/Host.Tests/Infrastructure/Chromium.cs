using Ember.Tests.Shared;

namespace Ember.Host.Tests.Infrastructure;

/// <summary>
/// Debian's chromium, for the browser tests: <c>EMBER_CHROMIUM</c> when set, else <c>/usr/bin/chromium</c>, which is
/// installed with <c>apt-get install -y chromium</c> (about 25 s) when it is missing; on a fresh machine, which has no
/// package lists yet, after <c>apt-get update</c>.
/// </summary>
/// <remarks>
/// A failed install (not root, no package mirror) throws with apt's output: the browser tests fail, nothing is
/// skipped. Thread-safe: the install runs at most once per test run, and every caller waits for that one.
/// </remarks>
public static class Chromium
{
    private const string DebianPath = "/usr/bin/chromium";
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);
    private static readonly Lazy<Task<string>> Installed = new(InstallAsync);

    /// <summary>Finds the browser, installing Debian's package when it is missing.</summary>
    /// <returns>The path of the executable.</returns>
    public static Task<string> EnsureInstalledAsync() => Installed.Value;

    private static async Task<string> InstallAsync()
    {
        if (Environment.GetEnvironmentVariable("EMBER_CHROMIUM") is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : throw new InvalidOperationException($"EMBER_CHROMIUM is {configured}, which does not exist.");
        }

        if (File.Exists(DebianPath))
        {
            return DebianPath;
        }

        var apt = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        Console.Error.WriteLine("chromium is missing: apt-get install -y chromium (the browser tests need it)");
        ProcessResult install = await ChildProcess.RunAsync("apt-get", ["install", "-y", "chromium"], Path.GetTempPath(), InstallTimeout, apt);
        if (install.ExitCode != 0)
        {
            // A machine that never ran apt-get update knows no packages ("Unable to locate package").
            Console.Error.WriteLine("apt-get install failed: apt-get update, then apt-get install -y chromium again");
            ProcessResult update = await ChildProcess.RunAsync("apt-get", ["update"], Path.GetTempPath(), InstallTimeout, apt);
            if (update.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"chromium is not installed, 'apt-get install -y chromium' failed ({install.ExitCode}) and 'apt-get update' failed ({update.ExitCode}); the browser tests need it (or EMBER_CHROMIUM):\n{update.Stderr}\n{update.Stdout}");
            }

            install = await ChildProcess.RunAsync("apt-get", ["install", "-y", "chromium"], Path.GetTempPath(), InstallTimeout, apt);
        }

        if (install.ExitCode != 0 || !File.Exists(DebianPath))
        {
            throw new InvalidOperationException(
                $"chromium is not installed and 'apt-get install -y chromium' failed ({install.ExitCode}), after 'apt-get update' too; the browser tests need it (or EMBER_CHROMIUM):\n{install.Stderr}\n{install.Stdout}");
        }

        return DebianPath;
    }
}
