namespace Ember.Benchmark;

/// <summary>Sustained-load mode: what <paramref name="Streams"/> always-busy clients saw over <paramref name="Seconds"/>.</summary>
/// <param name="Mode">The target measured (http or engine).</param>
/// <param name="Streams">Clients, each sending its next request as soon as the last one ended.</param>
/// <param name="Seconds">How long the clients kept sending.</param>
/// <param name="Completed">Requests that streamed to their end.</param>
/// <param name="Abandoned">Requests their client left mid-stream, as planned.</param>
/// <param name="Errors">Requests that failed.</param>
/// <param name="FirstError">The first failure's message, if any.</param>
/// <param name="TimeToFirstTokenP50Ms">TTFT median over every request that got a token.</param>
/// <param name="TimeToFirstTokenP99Ms">TTFT 99th percentile.</param>
/// <param name="TimeToFirstTokenP999Ms">TTFT 99.9th percentile.</param>
/// <param name="TimeToFirstTokenMaxMs">Longest TTFT.</param>
/// <param name="InterTokenP99Ms">99th percentile of the gaps between two tokens of a stream.</param>
/// <param name="TokensPerSecond">Tokens streamed per second over the run.</param>
/// <param name="RssByMinuteMiB">The serving process's resident set at the end of each minute (the last entry at the end of the run).</param>
internal sealed record SustainedResult(
    string Mode,
    int Streams,
    double Seconds,
    int Completed,
    int Abandoned,
    int Errors,
    string? FirstError,
    double? TimeToFirstTokenP50Ms,
    double? TimeToFirstTokenP99Ms,
    double? TimeToFirstTokenP999Ms,
    double? TimeToFirstTokenMaxMs,
    double? InterTokenP99Ms,
    double TokensPerSecond,
    IReadOnlyList<double> RssByMinuteMiB)
{
    /// <summary>RSS at the end against RSS after the first minute, in percent; null without two figures.</summary>
    public double? RssGrowthPercent => RssByMinuteMiB.Count >= 2 ? ((RssByMinuteMiB[^1] / RssByMinuteMiB[0]) - 1) * 100 : null;
}
