namespace Ember.Benchmark;

/// <summary>The figures of one mode at one concurrency level.</summary>
internal sealed record LevelResult(
    string Mode,
    int Concurrency,
    int Requests,
    int Errors,
    long GeneratedTokens,
    double WallSeconds,
    double AggregateTokensPerSecond,
    double? PerStreamTokensPerSecond,
    double? TimeToFirstTokenP50Ms,
    double? TimeToFirstTokenP99Ms,
    double? InterTokenP50Ms,
    double? InterTokenP99Ms,
    double? PeakRssMiB,
    string? FirstError)
{
    /// <summary>Gets the share of every core's time left idle while the level ran, in percent.</summary>
    public double? CpuIdlePercent { get; init; }

    /// <summary>Gets where the engine's scheduler thread spent the level (engine mode only).</summary>
    public Ember.Runtime.Scheduling.StepSplit? Split { get; init; }

    public static LevelResult From(string mode, int concurrency, IReadOnlyList<RequestSample> samples, double wallSeconds, long? peakRssBytes)
    {
        var ok = samples.Where(s => s.Error is null).ToList();
        var tokens = samples.Sum(s => (long)s.Tokens);
        var gaps = ok.SelectMany(s => s.InterTokenGaps()).ToList();
        var ttft = ok.Select(s => s.TimeToFirstTokenMs).OfType<double>().ToList();
        var perStream = ok.Where(s => s.Tokens > 0 && s.EndMs > 0).Select(s => s.Tokens / (s.EndMs / 1000)).ToList();
        return new LevelResult(
            mode,
            concurrency,
            samples.Count,
            samples.Count - ok.Count,
            tokens,
            wallSeconds,
            wallSeconds > 0 ? tokens / wallSeconds : 0,
            perStream.Count > 0 ? perStream.Average() : null,
            Percentiles.Of(ttft, 50),
            Percentiles.Of(ttft, 99),
            Percentiles.Of(gaps, 50),
            Percentiles.Of(gaps, 99),
            peakRssBytes / (1024.0 * 1024.0),
            samples.FirstOrDefault(s => s.Error is not null)?.Error);
    }
}
