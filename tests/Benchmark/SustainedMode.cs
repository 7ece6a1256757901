using System.Globalization;
using System.Text.Json;

namespace Ember.Benchmark;

/// <summary>The benchmark's <c>--sustain</c> mode: one fresh target, its streams kept busy, one table.</summary>
internal static class SustainedMode
{
    /// <summary>Runs the sustained load and prints its table; returns the process exit code (1 when any request failed).</summary>
    public static async Task<int> RunAsync(BenchmarkOptions options, string modelsRoot, string variant, int streams, TimeSpan duration, CancellationToken cancellationToken)
    {
        var cap = options.Cap ?? streams;
        var queueBound = Math.Max(256, streams);
        IStreamingTarget target;
        if (options.Http && HttpHostTarget.FindHostDll(options.HostDll) is { } hostDll)
        {
            target = await HttpHostTarget.StartAsync(hostDll, modelsRoot, variant, cap, queueBound, options.PrefillChunk, cancellationToken).ConfigureAwait(false);
        }
        else if (options.Http)
        {
            await Console.Error.WriteLineAsync("No built Ember.Host.dll (dotnet build -c Release src/Host, or --host-dll); use --no-http for the engine.").ConfigureAwait(false);
            return 2;
        }
        else
        {
            target = await EngineTarget.StartAsync(modelsRoot, variant, cap, queueBound, options.PrefillChunk, cancellationToken).ConfigureAwait(false);
        }

        SustainedResult result;
        await using (target.ConfigureAwait(false))
        {
            // Warm-up: one short request per stream, so first-touch costs are not in the figures.
            await LoadDriver.RunAsync(target, streams, streams, 8, $"{target.Mode} c={streams} warm-up", cancellationToken).ConfigureAwait(false);
            result = await SustainedLoad.RunAsync(target, streams, duration, options.AbandonEvery, cancellationToken).ConfigureAwait(false);
        }

        Console.WriteLine();
        Console.WriteLine(Render(result, options, variant, cap));
        if (options.JsonPath is { } jsonPath)
        {
            var report = new BenchmarkReport(options.Preset, variant, options.MaxTokens, 0, Environment.ProcessorCount, [], [], new Dictionary<string, string>(), null, result);
            await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(report, BenchmarkJsonContext.Default.BenchmarkReport), cancellationToken).ConfigureAwait(false);
        }

        if (result.FirstError is { } error)
        {
            await Console.Error.WriteLineAsync($"first error: {error}").ConfigureAwait(false);
        }

        return result.Errors > 0 ? 1 : 0;
    }

    private static string Render(SustainedResult r, BenchmarkOptions options, string variant, int cap)
    {
        static string F(double? value) => value is { } v ? v.ToString("F0", CultureInfo.InvariantCulture) : "n/a";
        var rss = string.Join(' ', r.RssByMinuteMiB.Select(m => m.ToString("F0", CultureInfo.InvariantCulture)));
        var growth = r.RssGrowthPercent is { } g ? g.ToString("+0.0;-0.0", CultureInfo.InvariantCulture) + "%" : "n/a";
        return string.Create(CultureInfo.InvariantCulture, $"""
            Ember sustained load: preset {options.Preset}, variant {variant}, {r.Mode}, {r.Streams} streams, cap {cap}, prefill chunk {options.PrefillChunk}, {r.Seconds:F0} s, one in {options.AbandonEvery} abandoned, {Environment.ProcessorCount} cores

            | streams | seconds | completed | abandoned | errors | tok/s | TTFT p50 ms | p99 | p99.9 | max | ITL p99 ms | RSS 1st min MiB | RSS end MiB | RSS end vs 1st min |
            |---|---|---|---|---|---|---|---|---|---|---|---|---|---|
            | {r.Streams} | {r.Seconds:F0} | {r.Completed} | {r.Abandoned} | {r.Errors} | {r.TokensPerSecond:F0} | {F(r.TimeToFirstTokenP50Ms)} | {F(r.TimeToFirstTokenP99Ms)} | {F(r.TimeToFirstTokenP999Ms)} | {F(r.TimeToFirstTokenMaxMs)} | {F(r.InterTokenP99Ms)} | {F(r.RssByMinuteMiB.Count > 0 ? r.RssByMinuteMiB[0] : null)} | {F(r.RssByMinuteMiB.Count > 0 ? r.RssByMinuteMiB[^1] : null)} | {growth} |

            RSS MiB at each minute, then at the end: {rss}
            """);
    }
}
