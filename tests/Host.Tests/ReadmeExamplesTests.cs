using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Ember.Host.Tests.Infrastructure;

namespace Ember.Host.Tests;

/// <summary>
/// The <c>curl</c> examples of the README and of <c>docs/</c>, run as written (with <c>$B</c> pointing at the test host)
/// through bash and curl, and compared with the output shown under each. An example block is a <c>bash</c> block whose
/// first line sets <c>B=</c>; in it each example is a label comment, its command and the <c># </c> lines of its output,
/// where <c>…</c> stands for any text, a leading status code (<c># 400 {…}</c>) is a note, and the blank lines between
/// SSE events are not shown.
/// </summary>
[Collection(ReadmeHostCollectionDefinition.Name)]
public sealed partial class ReadmeExamplesTests(ReadmeHostFixture host)
{
    public static TheoryData<string> Examples => [.. ReadExamples().Select(e => e.Label)];

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Example_RunAsWritten_PrintsWhatTheDocShows(string label)
    {
        var example = ReadExamples().Single(e => e.Label == label);
        var bases = host.BaseAddress.ToString().TrimEnd('/') + "/client/v4/accounts/my-account/ai";

        var output = await RunBashAsync($"B={bases}\n{example.Command}");

        var shown = string.Join('\n', output.Split('\n').Select(line => line.TrimEnd('\r')).Where(line => line.Length > 0));
        Assert.True(Pattern(example.Expected).IsMatch(shown), $"{example.Label} shows:\n{example.Expected}\nThe command printed:\n{shown}");
    }

    [Fact]
    public void Docs_HaveExamples_EachWithItsOutputAndALabelOfItsOwn()
    {
        var examples = ReadExamples();

        Assert.Equal(["README.md", "docs/api.md", "docs/batch.md", "docs/lora.md"], examples.Select(e => e.File).Distinct());
        Assert.True(examples.Count(e => e.File == "README.md") >= 4, $"{examples.Count(e => e.File == "README.md")} README examples found");
        Assert.All(examples, e => Assert.NotEmpty(e.Expected));
        Assert.Equal(examples.Count, examples.Select(e => e.Label).Distinct().Count());
    }

    /// <summary>The expected text as an anchored pattern: literal, with <c>…</c> matching anything.</summary>
    private static Regex Pattern(string expected) =>
        new("^" + string.Join(".*?", expected.Split('…').Select(Regex.Escape)) + "$", RegexOptions.Singleline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(5));

    /// <summary>Every example of the README, then of <c>docs/*.md</c> in name order.</summary>
    private static List<(string File, string Label, string Command, string Expected)> ReadExamples()
    {
        var root = ReadmeHostFixture.RepositoryRoot;
        var files = Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Order(StringComparer.Ordinal)
            .Select(path => "docs/" + Path.GetFileName(path)).Prepend("README.md");
        return [.. files.SelectMany(file => ReadExamples(file, File.ReadAllLines(Path.Combine(root, file))))];
    }

    /// <summary>The examples of one file's example blocks: each its label comment, its command, and the output it shows.</summary>
    private static List<(string File, string Label, string Command, string Expected)> ReadExamples(string file, string[] lines)
    {
        var examples = new List<(string, string, string, string)>();
        string? label = null;
        var command = new StringBuilder();
        var expected = new List<string>();
        void Flush()
        {
            if (label is not null && command.Length > 0)
            {
                examples.Add((file, file + ": " + label, command.ToString().TrimEnd(), string.Join('\n', expected)));
            }

            label = null;
            command.Clear();
            expected.Clear();
        }

        for (var open = 0; open + 1 < lines.Length; open++)
        {
            if (!lines[open].StartsWith("```bash", StringComparison.Ordinal) || !lines[open + 1].StartsWith("B=", StringComparison.Ordinal))
            {
                continue;
            }

            var close = Array.FindIndex(lines, open + 1, line => line.StartsWith("```", StringComparison.Ordinal));
            for (var i = open + 2; i < close; i++)
            {
                var line = lines[i];
                if (line.Length == 0)
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
            open = close;
        }

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
