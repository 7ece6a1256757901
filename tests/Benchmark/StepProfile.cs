using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Ember.Runtime.Engine;
using Ember.Runtime.Options;
using Ember.Runtime.Pool;

namespace Ember.Benchmark;

/// <summary>
/// Where a decode step's time goes (<c>--profile</c>): the decoder alone, loaded as the continuous scheduler loads it
/// (the default threads, spinning), its slots prefilled with prompts of about 100 tokens, then decode steps of 1 and of
/// <see cref="WideRows"/> rows under ONNX Runtime's profiler; the time inside each operator type, summed from the trace.
/// </summary>
internal static class StepProfile
{
    private const int WideRows = 16;
    private const int PromptTokens = 100;
    private const int Steps = 12;
    private const int WarmUpSteps = 3;

    public static int Run(string modelFolder)
    {
        var layout = DecoderLayout.Read(modelFolder);
        var (threads, reason) = ThreadBudget.For(new ModelOptions(), 1, Environment.ProcessorCount);
        var text = new StringBuilder();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Decode step split ({threads} intra-op threads, from {reason}; past length ~{PromptTokens}; {Steps} profiled steps after {WarmUpSteps}), share of the time inside operators:"));
        var columns = new List<(int Rows, double WallMs, Dictionary<string, double> MicrosByOp)>();
        foreach (var rows in new[] { 1, WideRows })
        {
            var prefix = Path.Combine(Path.GetTempPath(), $"ember-profile-{rows}-{Guid.NewGuid():N}");
            using var session = DecoderSession.Load(layout, WideRows, PromptTokens + WarmUpSteps + Steps + 8, threads, spinning: true, profilePrefix: prefix);
            var random = new Random(20231001);
            var lengths = new int[rows];
            var tokens = new int[rows];
            for (var slot = 0; slot < rows; slot++)
            {
                var prompt = Enumerable.Range(0, PromptTokens).Select(_ => random.Next(3, layout.VocabSize)).ToArray();
                session.Prefill(slot, prompt, 0);
                lengths[slot] = PromptTokens;
                tokens[slot] = random.Next(3, layout.VocabSize);
            }

            for (var step = 0; step < WarmUpSteps; step++)
            {
                session.Decode(rows, tokens, lengths);
                Advance(lengths);
            }

            var wall = Stopwatch.StartNew();
            for (var step = 0; step < Steps; step++)
            {
                session.Decode(rows, tokens, lengths);
                Advance(lengths);
            }

            var wallMs = wall.Elapsed.TotalMilliseconds / Steps;
            var trace = session.EndProfiling();
            columns.Add((rows, wallMs, KernelMicros(trace)));
            File.Delete(trace);
        }

        var ops = columns.SelectMany(column => column.MicrosByOp).GroupBy(pair => pair.Key).OrderByDescending(group => group.Sum(pair => pair.Value)).Select(group => group.Key).ToList();
        text.Append(CultureInfo.InvariantCulture, $"{"operator",-36}");
        foreach (var column in columns)
        {
            text.Append(CultureInfo.InvariantCulture, $" {column.Rows.ToString(CultureInfo.InvariantCulture) + " row(s) ms/step",18} {"share",6}");
        }

        text.AppendLine();
        foreach (var op in ops)
        {
            text.Append(CultureInfo.InvariantCulture, $"{op,-36}");
            foreach (var column in columns)
            {
                var total = column.MicrosByOp.Values.Sum();
                var micros = column.MicrosByOp.GetValueOrDefault(op);
                text.Append(CultureInfo.InvariantCulture, $" {micros / Steps / 1000,18:F2} {100 * micros / total,5:F1}%");
            }

            text.AppendLine();
        }

        text.Append(CultureInfo.InvariantCulture, $"{"all operators",-36}");
        foreach (var column in columns)
        {
            text.Append(CultureInfo.InvariantCulture, $" {column.MicrosByOp.Values.Sum() / Steps / 1000,18:F2} {"",6}");
        }

        text.AppendLine();
        text.Append(CultureInfo.InvariantCulture, $"{"wall per step (profiler on)",-36}");
        foreach (var column in columns)
        {
            text.Append(CultureInfo.InvariantCulture, $" {column.WallMs,18:F2} {"",6}");
        }

        Console.WriteLine(text.AppendLine().ToString());
        return 0;
    }

    private static void Advance(int[] lengths)
    {
        for (var i = 0; i < lengths.Length; i++)
        {
            lengths[i]++;
        }
    }

    /// <summary>Microseconds inside each operator type over the last <see cref="Steps"/> <c>Run</c>s of the trace.</summary>
    private static Dictionary<string, double> KernelMicros(string trace)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(trace));
        var runs = document.RootElement.EnumerateArray()
            .Where(e => e.TryGetProperty("name", out var name) && name.GetString() == "model_run")
            .Select(e => (Start: e.GetProperty("ts").GetDouble(), End: e.GetProperty("ts").GetDouble() + e.GetProperty("dur").GetDouble()))
            .OrderBy(run => run.Start)
            .ToList();
        var first = runs[^Steps].Start;
        var micros = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var e in document.RootElement.EnumerateArray())
        {
            if (e.TryGetProperty("cat", out var cat) && cat.GetString() == "Node"
                && e.GetProperty("name").GetString() is { } name && name.EndsWith("_kernel_time", StringComparison.Ordinal)
                && e.GetProperty("ts").GetDouble() >= first
                && e.GetProperty("args").TryGetProperty("op_name", out var op))
            {
                var key = op.GetString() ?? "?";
                micros[key] = micros.GetValueOrDefault(key) + e.GetProperty("dur").GetDouble();
            }
        }

        return micros;
    }
}
