using System.Diagnostics;
using System.Net;

namespace Ember.Host.Tests.Infrastructure;

/// <summary>
/// The host in a process of its own (the test output's <c>Ember.Host.dll</c>), so that a test can kill it outright
/// (SIGKILL) as a crash or an out-of-memory kill would.
/// </summary>
public static class HostProcess
{
    /// <summary>What each started process wrote to its standard error, for the failure messages.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Process, System.Text.StringBuilder> Errors = [];

    /// <summary>Starts the host on <paramref name="config"/>, listening on <paramref name="port"/>, with <see cref="HostFixture.Token"/>.</summary>
    /// <returns>The process; the caller kills it however the test ends.</returns>
    public static Process Start(string config, int port)
    {
        string hostDll = Path.Combine(AppContext.BaseDirectory, "Ember.Host.dll");
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[] { hostDll, "--config", config, "--urls", $"http://127.0.0.1:{port}", "--Logging:LogLevel:Default", "Warning", "--Auth:Tokens:0", HostFixture.Token })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var errors = new System.Text.StringBuilder();
        Errors.Add(process, errors);
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
            {
                errors.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>A client of the host on <paramref name="port"/>, with <see cref="HostFixture.Token"/> (30 s a call).</summary>
    public static HttpClient Client(int port)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", HostFixture.Token);
        return client;
    }

    /// <summary>Kills the process outright (SIGKILL, as a crash or an out-of-memory kill would) and waits for it to be gone.</summary>
    public static async Task KillAsync(Process node)
    {
        if (!node.HasExited)
        {
            node.Kill(entireProcessTree: true);
        }

        await node.WaitForExitAsync();
    }

    /// <summary>Waits for the process's /readyz: another process, so there is nothing to await but its answers (bounded, 60 s).</summary>
    public static async Task WaitReadyAsync(HttpClient client, Process node)
    {
        var deadline = Stopwatch.StartNew();
        string last = "no answer yet";
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            Assert.False(node.HasExited, $"the host process exited with {(node.HasExited ? node.ExitCode : 0)}: {ErrorOutput(node)}");
            try
            {
                using HttpResponseMessage ready = await client.GetAsync("readyz");
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"/readyz answered {(int)ready.StatusCode}";
            }
            catch (HttpRequestException exception)
            {
                last = exception.Message;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"the host process was not ready within 60 s at {client.BaseAddress} (last: {last}); it wrote: {ErrorOutput(node)}");
    }

    /// <summary>What <paramref name="node"/> has written to its standard error so far.</summary>
    public static string ErrorOutput(Process node)
    {
        if (!Errors.TryGetValue(node, out var errors))
        {
            return string.Empty;
        }

        lock (errors)
        {
            return errors.ToString();
        }
    }
}
