using Ember.Host.Tests.Infrastructure;
using Ember.Tests.Shared;

namespace Ember.Host.Tests.Deploy;

/// <summary>
/// <c>scripts/apt-install.sh</c>, which every install step of the tests and scripts goes through, on what apt sees on a
/// fresh machine: no package lists. Each test gives apt an empty lists folder, an empty dpkg status (so nothing counts
/// as installed) and its own cache, all in a temporary folder (<c>-o Dir::State::Lists=…</c> and friends), and
/// simulates the install (<c>APT::Get::Simulate</c>), so the machine's own lists and packages are never touched. It
/// needs the machine's package mirror (about 5 s for the lists), as the installs it stands for do.
/// </summary>
public sealed class AptInstallScriptTests : IDisposable
{
    private static readonly string Script = Path.Combine(ReadmeHostFixture.RepositoryRoot, "scripts", "apt-install.sh");
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private readonly string _root = Directory.CreateTempSubdirectory("ember-apt-").FullName;

    public AptInstallScriptTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "lists", "partial"));
        Directory.CreateDirectory(Path.Combine(_root, "cache", "archives", "partial"));
        File.WriteAllText(Path.Combine(_root, "status"), string.Empty);
    }

    private string Lists => Path.Combine(_root, "lists");

    [Fact]
    public async Task Install_NoPackageLists_UpdatesThemThenInstalls()
    {
        Assert.Empty(Directory.GetFiles(Lists));

        ProcessResult result = await InstallAsync("hello");

        Assert.True(result.ExitCode == 0, $"apt-install.sh failed ({result.ExitCode}):\n{result.Stderr}\n{result.Stdout}");
        Assert.Contains("apt-install: apt-get install -y hello", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("Unable to locate package hello", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("apt-get update, then the install once more", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(Directory.GetFiles(Lists), file => file.Contains("_Packages", StringComparison.Ordinal));
        Assert.Contains("Inst hello ", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_ListsPresent_InstallsWithoutUpdating()
    {
        ProcessResult first = await InstallAsync("hello");
        Assert.True(first.ExitCode == 0, $"apt-install.sh failed ({first.ExitCode}):\n{first.Stderr}\n{first.Stdout}");
        DateTime updated = Directory.GetFiles(Lists).Max(File.GetLastWriteTimeUtc);

        ProcessResult second = await InstallAsync("hello");

        Assert.True(second.ExitCode == 0, $"apt-install.sh failed ({second.ExitCode}):\n{second.Stderr}\n{second.Stdout}");
        Assert.DoesNotContain("apt-get update", second.Stderr, StringComparison.Ordinal);
        Assert.Equal(updated, Directory.GetFiles(Lists).Max(File.GetLastWriteTimeUtc));
        Assert.Contains("Inst hello ", second.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_PackageNobodyHas_FailsAfterUpdating()
    {
        ProcessResult result = await InstallAsync("ember-no-such-package");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("apt-get update, then the install once more", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(Directory.GetFiles(Lists), file => file.Contains("_Packages", StringComparison.Ordinal));
        Assert.DoesNotContain("apt-install: installed", result.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private Task<ProcessResult> InstallAsync(string package) =>
        ChildProcess.RunAsync("bash", [Script, package], ReadmeHostFixture.RepositoryRoot, Timeout, new Dictionary<string, string>
        {
            ["EMBER_APT_OPTIONS"] = string.Join(' ',
                $"-o Dir::State::Lists={Lists}",
                $"-o Dir::State::status={Path.Combine(_root, "status")}",
                $"-o Dir::Cache={Path.Combine(_root, "cache")}",
                "-o APT::Get::Simulate=true",
                // The temporary folder is the test's own; apt's download user need not reach it.
                "-o APT::Sandbox::User=root"),
        });
}
