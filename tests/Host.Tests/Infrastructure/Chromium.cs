using Ember.Tests.Shared;

namespace Ember.Host.Tests.Infrastructure;

/// <summary>
/// Debian's chromium, for the browser tests: <c>EMBER_CHROMIUM</c> when set, else <c>/usr/bin/chromium</c>, which is
/// installed with <c>scripts/apt-install.sh chromium</c> (about 25 s) when it is missing; on a fresh machine, which has no
/// package lists yet, the script runs <c>apt-get update</c> first (<c>AptInstallScriptTests</c> reproduces that state).
/// </summary>
/// <remarks>
/// A failed install (not root, no package mirror) throws with apt's output: the browser tests fail, nothing is
/// skipped. Thread-safe: the install runs at most once per test run, and every caller waits for that one.
/// </remarks>
public static class Chromium
{
    private const string DebianPath = "/usr/bin/chromium";
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);
    private static readonly string AptInstall = Path.Combine(ReadmeHostFixture.RepositoryRoot, "scripts", "apt-install.sh");
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

        // Where apt cannot find the package (a fresh machine has no package lists), the script runs apt-get update and tries again.
        Console.Error.WriteLine("chromium is missing (the browser tests need it): scripts/apt-install.sh chromium");
        ProcessResult install = await ChildProcess.RunAsync("bash", [AptInstall, "chromium"], ReadmeHostFixture.RepositoryRoot, InstallTimeout);
        Console.Error.Write(install.Stderr);
        if (install.ExitCode != 0 || !File.Exists(DebianPath))
        {
            throw new InvalidOperationException(
                $"chromium is not installed and 'scripts/apt-install.sh chromium' failed ({install.ExitCode}); the browser tests need it (or EMBER_CHROMIUM):\n{install.Stderr}\n{install.Stdout}");
        }

        return DebianPath;
    }
}
