using System.Globalization;
using System.Text;
using static Ember.Benchmark.TableText;

namespace Ember.Benchmark;

/// <summary>Renders the report as plain-text tables.</summary>
internal static class ResultTable
{
    public static string Render(BenchmarkReport report, IEnumerable<string> modes)
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant($"Ember benchmark: preset {report.Preset}, variant {report.Variant}, max_tokens {report.MaxTokens}, {report.RequestsPerLevel} requests per level, {report.ProcessorCount} cores"));
        text.AppendLine();
        text.AppendLine(Invariant($"{"conc",4} {"mode",-14} {"reqs",4} {"agg tok/s",9} {"stream tok/s",12} {"TTFT p50",9} {"TTFT p99",9} {"ITL p50",8} {"ITL p99",8} {"errors",6} {"peak RSS MiB",12} {"CPU idle %",10}"));
        foreach (var level in report.Results.Select(r => r.Concurrency).Distinct())
        {
            foreach (var mode in modes)
            {
                if (report.Results.FirstOrDefault(r => r.Concurrency == level && r.Mode == mode) is { } r)
                {
                    text.AppendLine(Invariant($"{level,4} {mode,-14} {r.Requests,4} {r.AggregateTokensPerSecond,9:F1} {F(r.PerStreamTokensPerSecond),12} {F(r.TimeToFirstTokenP50Ms),9} {F(r.TimeToFirstTokenP99Ms),9} {F(r.InterTokenP50Ms),8} {F(r.InterTokenP99Ms),8} {r.Errors,6} {F(r.PeakRssMiB, "F0"),12} {F(r.CpuIdlePercent),10}"));
                }
                else
                {
                    text.AppendLine(Invariant($"{level,4} {mode,-14} {"n/a",4} {"n/a",9} {"n/a",12} {"n/a",9} {"n/a",9} {"n/a",8} {"n/a",8} {"n/a",6} {"n/a",12} {"n/a",10}"));
                }
            }
        }

        text.AppendLine();
        text.AppendLine("Engine's scheduler thread, per level: decode steps, ms inside ONNX Runtime's Run per step, Ember's own ms per iteration (admission, inputs, bindings, sampling, detokenizing, publishing) and its share, prefill ms per prompt token inside Run");
        text.AppendLine(Invariant($"{"conc",4} {"steps",6} {"tok/step",9} {"Run ms/step",11} {"own ms/iter",11} {"own %",6} {"prefill ms/token",16}"));
        foreach (var r in report.Results.Where(r => r.Mode == "engine" && r.Split is not null))
        {
            var split = r.Split!;
            double? PerStep(TimeSpan time, long count) => count > 0 ? time.TotalMilliseconds / count : null;
            var rows = r.GeneratedTokens > 0 && split.DecodeSteps > 0 ? (double)r.GeneratedTokens / split.DecodeSteps : (double?)null;
            var own = split.Total > TimeSpan.Zero ? 100 * split.Own / split.Total : (double?)null;
            text.AppendLine(Invariant($"{r.Concurrency,4} {split.DecodeSteps,6} {F(rows),9} {F(PerStep(split.DecodeRun, split.DecodeSteps), "F2"),11} {F(PerStep(split.Own, split.Iterations), "F2"),11} {F(own),6} {F(PerStep(split.PrefillRun, split.PrefillTokens), "F3"),16}"));
        }

        text.AppendLine();
        text.AppendLine(Invariant($"{"conc",4} {"engine gain",11} {"http gain",9} {"overhead http/engine",20} {"engine vs 1-at-a-time",21} {"http vs 1-at-a-time",19}"));
        foreach (var ratio in report.Ratios)
        {
            text.AppendLine(Invariant($"{ratio.Concurrency,4} {X(ratio.EngineBatchingGain),11} {X(ratio.HttpBatchingGain),9} {X(ratio.HttpOverEngine),20} {X(ratio.EngineVsOneAtATime),21} {X(ratio.HttpVsOneAtATime),19}"));
        }

        foreach (var (key, value) in report.Notes)
        {
            text.AppendLine(Invariant($"{key}: {value}"));
        }

        if (report.Soak is { } soak)
        {
            text.AppendLine(Invariant($"soak ({soak.Mode}, concurrency {soak.Concurrency}): {soak.Requests} requests, {soak.Errors} errors, RSS after 200: {F(soak.RssAfter200MiB, "F0")} MiB, after {soak.Requests}: {F(soak.RssAfterAllMiB, "F0")} MiB, peak {F(soak.PeakRssMiB, "F0")} MiB"));
        }

        return text.ToString();
    }
}
