using System.Diagnostics;
using Ember.Host.Tests.Infrastructure;

namespace Ember.Host.Tests.Deploy;

/// <summary><c>deploy/systemd/ember.service</c>: the hardening and lifecycle settings docs/deployment.md promises, and <c>systemd-analyze verify</c> where the tool exists.</summary>
public sealed class SystemdUnitTests
{
    private static readonly string Unit = Path.Combine(ReadmeHostFixture.RepositoryRoot, "deploy", "systemd", "ember.service");

    [Theory]
    [InlineData("Type=notify")]
    [InlineData("DynamicUser=yes")]
    [InlineData("NoNewPrivileges=yes")]
    [InlineData("ProtectSystem=strict")]
    [InlineData("Restart=on-failure")]
    [InlineData("TimeoutStopSec=330")]
    [InlineData("StateDirectory=ember")]
    public void Unit_HasTheSetting(string line)
    {
        Assert.Contains(line, File.ReadAllLines(Unit));
    }

    [Fact]
    public async Task Unit_PassesSystemdAnalyzeVerify_ButForTheBinaryNotInstalledHere()
    {
        if (!File.Exists("/usr/bin/systemd-analyze"))
        {
            // Not every machine has systemd; the settings above are still checked.
            Assert.True(File.Exists(Unit));
            return;
        }

        var start = new ProcessStartInfo("/usr/bin/systemd-analyze", ["verify", Unit]) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        string output = await process.StandardError.ReadToEndAsync() + await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        string[] problems = [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => !line.Contains("/opt/ember/Ember.Host is not executable", StringComparison.Ordinal))];
        Assert.Empty(problems);
    }
}
