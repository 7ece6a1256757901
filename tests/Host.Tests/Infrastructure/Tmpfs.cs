using System.Diagnostics;

namespace Ember.Host.Tests.Infrastructure;

/// <summary>
/// A size-limited tmpfs mounted on a folder, so that a test can fill a disk without touching the machine's: mounting
/// needs root (or CAP_SYS_ADMIN), which the tests have here and in CI. A mount that fails fails the test, saying why.
/// Unmounted on dispose (lazily if something still holds a file there).
/// </summary>
public sealed class Tmpfs : IAsyncDisposable
{
    private static readonly TimeSpan s_toolTimeout = TimeSpan.FromSeconds(30);

    private Tmpfs(string folder) => Folder = folder;

    /// <summary>Gets the mount point.</summary>
    public string Folder { get; }

    /// <summary>Mounts a tmpfs of <paramref name="size"/> (as <c>mount -o size=</c> takes it, such as <c>2m</c>) on <paramref name="folder"/>, created when missing.</summary>
    public static async Task<Tmpfs> MountAsync(string folder, string size)
    {
        Directory.CreateDirectory(folder);
        (int code, string output) = await RunAsync("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", folder);
        if (code != 0)
        {
            Assert.Fail(
                $"mount -t tmpfs -o size={size} tmpfs {folder} failed with exit code {code}: {output.Trim()}. "
                + $"The disk-full tests mount a size-limited tmpfs, which needs root or CAP_SYS_ADMIN (the user is {Environment.UserName}).");
        }

        return new Tmpfs(folder);
    }

    /// <summary>Writes a file of zeros at <paramref name="path"/> (on this tmpfs) until the disk has no space left.</summary>
    /// <returns>The bytes written.</returns>
    public static long Fill(string path)
    {
        long written = 0;
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        foreach (int chunk in new[] { 64 * 1024, 4096, 1 })
        {
            byte[] zeros = new byte[chunk];
            try
            {
                while (true)
                {
                    file.Write(zeros);
                    written += chunk;
                }
            }
            catch (IOException)
            {
            }
        }

        return written;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if ((await RunAsync("umount", Folder)).ExitCode != 0)
        {
            await RunAsync("umount", "-l", Folder);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(s_toolTimeout);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, (await output) + (await error));
    }
}
