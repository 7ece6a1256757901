using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Ember.Host.Tests.Infrastructure;

namespace Ember.Host.Tests;

/// <summary>
/// The README's <c>curl</c> examples, run as written (with <c>$B</c> pointing at the test host) through bash and curl,
/// and compared with the output the README shows under each: <c>…</c> there stands for any text, a leading status
/// code (<c># 400 {…}</c>) is the README's note, and the blank lines between SSE events are not shown.
/// </summary>
[Collection(ReadmeHostCollectionDefinition.Name)]
public sealed partial class ReadmeExamplesTests(ReadmeHostFixture host)
{
    public static TheoryData<string> Examples => [.. ReadExamples().Select(e => e.Label)];

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Example_RunAsWritten_PrintsWhatTheReadmeShows(string label)
    {
        var example = ReadExamples().Single(e => e.Label == label);
        var bases = host.BaseAddress.ToString().TrimEnd('/') + "/client/v4/accounts/my-account/ai";

        var output = await RunBashAsync($"B={bases}\n{example.Command}");

        var shown = string.Join('\n', output.Split('\n').Select(line => line.TrimEnd('\r')).Where(line => line.Length > 0));
        Assert.True(Pattern(example.Expected).IsMatch(shown), $"The README shows:\n{example.Expected}\nThe command printed:\n{shown}");
    }

    [Fact]
    public void Readme_HasExamples_EachWithItsOutput()
    {
        var examples = ReadExamples();

        Assert.True(examples.Count >= 5, $"{examples.Count} examples found");
        Assert.All(examples, e => Assert.NotEmpty(e.Expected));
    }

    /// <summary>The expected text as an anchored pattern: literal, with <c>…</c> matching anything.</summary>
    private static Regex Pattern(string expected) =>
        new("^" + string.Join(".*?", expected.Split('…').Select(Regex.Escape)) + "$", RegexOptions.Singleline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(5));

    /// <summary>Each example of the README's "Examples" block: its label comment, its command, and the output it shows.</summary>
    private static List<(string Label, string Command, string Expected)> ReadExamples()
    {
        var readme = File.ReadAllLines(Path.Combine(ReadmeHostFixture.RepositoryRoot, "README.md"));
        var start = Array.FindIndex(readme, line => line.StartsWith("### Examples", StringComparison.Ordinal));
        var open = Array.FindIndex(readme, start, line => line.StartsWith("```bash", StringComparison.Ordinal));
        var close = Array.FindIndex(readme, open + 1, line => line.StartsWith("```", StringComparison.Ordinal));
        var examples = new List<(string, string, string)>();
        string? label = null;
        var command = new StringBuilder();
        var expected = new List<string>();
        void Flush()
        {
            if (label is not null && command.Length > 0)
            {
                examples.Add((label, command.ToString().TrimEnd(), string.Join('\n', expected)));
            }

            label = null;
            command.Clear();
            expected.Clear();
        }

        for (var i = open + 1; i < close; i++)
        {
            var line = readme[i];
            if (line.StartsWith("B=", StringComparison.Ordinal) || line.Length == 0)
            {
                Flush();
            }
            else if (line.StartsWith("# ", StringComparison.Ordinal) && command.Length == 0)
            {
                label = line[2..];
            }
            else if (line.StartsWith("# ", StringComparison.Ordinal))
            {
                expected.Add(StatusNote().Replace(line[2..], string.Empty));
            }
            else
            {
                command.AppendLine(line);
            }
        }

        Flush();
        return examples;
    }

    private static async Task<string> RunBashAsync(string script)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start.");
        await process.StandardInput.WriteAsync(script);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"bash exited with {process.ExitCode}: {await error}");
        return await output;
    }

    [GeneratedRegex("^[1-5][0-9]{2} (?=\\{)")]
    private static partial Regex StatusNote();
}
