using static Ember.Benchmark.TableText;

namespace Ember.Benchmark;

/// <summary>Derived figures at one concurrency level: batching gain, HTTP overhead, and Ember against the one-at-a-time baseline.</summary>
internal sealed record RatioRow(
    int Concurrency,
    double? EngineBatchingGain,
    double? HttpBatchingGain,
    double? HttpOverEngine,
    double? EngineVsOneAtATime,
    double? HttpVsOneAtATime)
{
    public static IReadOnlyList<RatioRow> From(IReadOnlyList<LevelResult> results, IEnumerable<int> levels)
    {
        double? Aggregate(string mode, int concurrency) =>
            results.FirstOrDefault(r => r.Mode == mode && r.Concurrency == concurrency) is { Errors: 0 } r ? r.AggregateTokensPerSecond : null;

        var lowest = levels.Min();
        return [.. levels.Select(n => new RatioRow(
            n,
            Ratio(Aggregate("engine", n), Aggregate("engine", lowest)),
            Ratio(Aggregate("http", n), Aggregate("http", lowest)),
            Ratio(Aggregate("http", n), Aggregate("engine", n)),
            Ratio(Aggregate("engine", n), Aggregate("one-at-a-time", n)),
            Ratio(Aggregate("http", n), Aggregate("one-at-a-time", n))))];
    }
}
