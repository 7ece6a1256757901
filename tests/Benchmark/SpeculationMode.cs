using System.Globalization;
using System.Text;
using static Ember.Benchmark.TableText;

namespace Ember.Benchmark;

/// <summary>
/// N-gram speculation on and off in one run (<c>--speculate K</c>): at each concurrency level the engine serves the
/// benchmark's prompts greedily with <c>SpeculativeTokens</c> 0 and K, in that order, each started afresh; the table
/// gives tok/s, the ratio, each stream's tok/s, and the tokens drafted and kept. Then each of the 8 fixed prompts
/// is answered alone by both, and the greedy texts compared.
/// </summary>
internal static class SpeculationMode
{
    private const int Prompts = 8;

    public static async Task<int> RunAsync(BenchmarkOptions options, string modelsRoot, string variant, int[] levels, int cap, int k, CancellationToken cancellationToken)
    {
        var rows = new List<(int Level, LevelResult Off, LevelResult On, long Drafted, long Accepted)>();
        foreach (var level in levels)
        {
            var off = await MeasureAsync(options, modelsRoot, variant, cap, level, 0, cancellationToken).ConfigureAwait(false);
            var on = await MeasureAsync(options, modelsRoot, variant, cap, level, k, cancellationToken).ConfigureAwait(false);
            rows.Add((level, off.Result, on.Result, on.Drafted, on.Accepted));
        }

        var sameTokensBefore = new List<string>();
        await using (var plain = await Start(options, modelsRoot, variant, cap, 0, cancellationToken).ConfigureAwait(false))
        await using (var speculating = await Start(options, modelsRoot, variant, cap, k, cancellationToken).ConfigureAwait(false))
        {
            for (var i = 0; i < Prompts; i++)
            {
                var expected = await plain.GreedyTextAsync(BenchmarkPrompts.For(i), options.MaxTokens, cancellationToken).ConfigureAwait(false);
                var actual = await speculating.GreedyTextAsync(BenchmarkPrompts.For(i), options.MaxTokens, cancellationToken).ConfigureAwait(false);
                if (expected != actual)
                {
                    sameTokensBefore.Add(expected.AsSpan().CommonPrefixLength(actual).ToString(CultureInfo.InvariantCulture));
                }
            }
        }

        var text = new StringBuilder();
        text.AppendLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Ember speculation: preset {options.Preset}, variant {options.Variant}, tokenizer {(options.Tokenizer is { } t ? Path.GetFileName(t) : "ember")}, engine (no HTTP), greedy, SpeculativeTokens {k} against 0, max_tokens {options.MaxTokens}, {options.RequestsPerLevel} requests a level, sequence cap {cap}, {Environment.ProcessorCount} cores{SettingsSuffix(options)}"));
        text.AppendLine();
        text.AppendLine("| streams | tok/s off | tok/s on | on ÷ off | tok/s a stream off → on | TTFT p50 off → on (ms) | drafted | kept | acceptance | errors |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (level, off, on, drafted, accepted) in rows)
        {
            text.AppendLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {level} | {off.AggregateTokensPerSecond:F1} | {on.AggregateTokensPerSecond:F1} | {on.AggregateTokensPerSecond / off.AggregateTokensPerSecond:F2} | {off.PerStreamTokensPerSecond:F1} → {on.PerStreamTokensPerSecond:F1} | {off.TimeToFirstTokenP50Ms:F1} → {on.TimeToFirstTokenP50Ms:F1} | {drafted} | {accepted} | {(drafted == 0 ? 0 : 100.0 * accepted / drafted):F1}% | {off.Errors + on.Errors} |"));
        }

        text.AppendLine();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Greedy texts of the {Prompts} fixed prompts alone, on against off: {Prompts - sameTokensBefore.Count} of {Prompts} identical{(sameTokensBefore.Count > 0 ? $" (the others agree for their first {string.Join(", ", sameTokensBefore)} characters)" : string.Empty)}."));
        Console.WriteLine(text.ToString());
        return rows.All(row => row.Off.Errors + row.On.Errors == 0) ? 0 : 1;
    }

    private static async Task<(LevelResult Result, long Drafted, long Accepted)> MeasureAsync(BenchmarkOptions options, string modelsRoot, string variant, int cap, int level, int k, CancellationToken cancellationToken)
    {
        await using var engine = await Start(options, modelsRoot, variant, cap, k, cancellationToken).ConfigureAwait(false);
        var label = $"speculation {k} c={level}";
        await LoadDriver.RunAsync(engine, level, level, Math.Min(8, options.MaxTokens), label + " warm-up", cancellationToken).ConfigureAwait(false);
        var statistics = engine.Statistics!;
        var (drafted, accepted) = (statistics.DraftedTokens, statistics.AcceptedTokens);
        var (samples, wall) = await LoadDriver.RunAsync(engine, level, options.RequestsPerLevel, options.MaxTokens, label, cancellationToken).ConfigureAwait(false);
        return (LevelResult.From("engine", level, samples, wall, null), statistics.DraftedTokens - drafted, statistics.AcceptedTokens - accepted);
    }

    private static Task<EngineTarget> Start(BenchmarkOptions options, string modelsRoot, string variant, int cap, int k, CancellationToken cancellationToken)
    {
        var settings = new Dictionary<string, string>(options.ModelSettings) { ["SpeculativeTokens"] = k.ToString(CultureInfo.InvariantCulture) };
        return EngineTarget.StartAsync(modelsRoot, variant, cap, Math.Max(256, options.RequestsPerLevel), options.PrefillChunk, cancellationToken, settings: settings);
    }
}
