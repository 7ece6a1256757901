using System.Diagnostics;
using System.Text;

namespace Ember.Tests.Shared;

/// <summary>Runs a program to its end with its outputs captured, for the tests that drive real tools (npm, node, pwsh, apt-get).</summary>
internal static class ChildProcess
{
    /// <summary>Runs <paramref name="fileName"/> and waits for it.</summary>
    /// <param name="fileName">The program, found on PATH.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="workingDirectory">Where it runs.</param>
    /// <param name="timeout">How long it may run; past it the process tree is killed and a <see cref="TimeoutException"/> thrown with what it printed.</param>
    /// <param name="environment">Variables added to the inherited environment.</param>
    /// <param name="standardInput">Text written to its standard input, which is then closed; none when null.</param>
    /// <returns>The exit code and what it printed; a non-zero exit is the caller's to judge.</returns>
    /// <exception cref="InvalidOperationException">The program cannot be started (not installed).</exception>
    public static async Task<ProcessResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        string workingDirectory,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null,
        string? standardInput = null)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = standardInput is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        if (standardInput is not null)
        {
            startInfo.StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        }

        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
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
            throw new InvalidOperationException($"Cannot start '{fileName}' (is it installed and on PATH?): {exception.Message}", exception);
        }

        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Task stdin = standardInput is null ? Task.CompletedTask : WriteAndCloseAsync(process.StandardInput, standardInput);
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            await stdin;
            throw new TimeoutException($"'{fileName} {string.Join(' ', startInfo.ArgumentList)}' in {workingDirectory} ran past {timeout}:\n{await stderr}\n{await stdout}");
        }

        await stdin;
        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }

    private static async Task WriteAndCloseAsync(StreamWriter input, string text)
    {
        try
        {
            await input.WriteAsync(text);
            input.Close();
        }
        catch (IOException)
        {
            // The process ended (or closed its input) before reading it all; its exit code and output say why.
        }
    }
}
