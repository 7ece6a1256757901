using System.Diagnostics;

namespace Ember.Benchmark;

/// <summary>
/// Keeps a number of streaming clients busy for a set time, each sending its next request as soon as the last ended,
/// with mixed prompt and output lengths and some clients leaving mid-stream (see <see cref="SustainedWorkload"/>).
/// </summary>
internal static class SustainedLoad
{
    private static readonly TimeSpan RssInterval = TimeSpan.FromMinutes(1);

    public static async Task<SustainedResult> RunAsync(IStreamingTarget target, int streams, TimeSpan duration, int abandonEvery, CancellationToken cancellationToken)
    {
        var samples = new List<RequestSample>[streams];
        var abandoned = 0;
        var wall = Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var rss = new List<double>();

        async Task ClientAsync(int client)
        {
            var workload = new SustainedWorkload(client, abandonEvery);
            var mine = samples[client] = [];
            while (wall.Elapsed < duration && !cancellationToken.IsCancellationRequested)
            {
                var (prompt, maxTokens, abandonAfter) = workload.Next();
                using var leave = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var sample = new RequestSample { AbandonAfter = abandonAfter, Leave = leave };
                var started = Stopwatch.GetTimestamp();
                double Clock() => Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                try
                {
                    await target.StreamAsync(prompt, maxTokens, Clock, sample, leave.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException && leave.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref abandoned);
                    sample.Abandoned = true;
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    sample.Error = $"{e.GetType().Name}: {e.Message}";
                }

                sample.EndMs = Clock();
                mine.Add(sample);
            }
        }

        async Task WatchAsync()
        {
            using var timer = new PeriodicTimer(RssInterval);
            try
            {
                while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
                {
                    if (target.RssBytes() is { } bytes)
                    {
                        lock (rss)
                        {
                            rss.Add(bytes / (1024.0 * 1024.0));
                        }
                    }

                    var done = samples.Sum(s => s?.Count ?? 0);
                    Console.Error.Write($"\r  sustained {target.Mode} c={streams}: {wall.Elapsed.TotalSeconds:F0}/{duration.TotalSeconds:F0}s, ~{done} requests, RSS {rss.LastOrDefault():F0} MiB   ");
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        var watch = WatchAsync();
        await Task.WhenAll(Enumerable.Range(0, streams).Select(client => Task.Run(() => ClientAsync(client), cancellationToken))).ConfigureAwait(false);
        var seconds = wall.Elapsed.TotalSeconds;
        await stop.CancelAsync().ConfigureAwait(false);
        await watch.ConfigureAwait(false);
        if (target.RssBytes() is { } last)
        {
            rss.Add(last / (1024.0 * 1024.0));
        }

        Console.Error.WriteLine();
        var all = samples.SelectMany(s => s).ToList();
        var firstTokens = all.Where(s => s.TimeToFirstTokenMs is not null).Select(s => s.TimeToFirstTokenMs!.Value).ToList();
        var errors = all.Where(s => s.Error is not null).ToList();
        return new SustainedResult(
            target.Mode,
            streams,
            seconds,
            all.Count(s => s.Error is null && !s.Abandoned),
            abandoned,
            errors.Count,
            errors.FirstOrDefault()?.Error,
            Percentiles.Of(firstTokens, 50),
            Percentiles.Of(firstTokens, 99),
            Percentiles.Of(firstTokens, 99.9),
            firstTokens.Count > 0 ? firstTokens.Max() : null,
            Percentiles.Of(all.SelectMany(s => s.InterTokenGaps()), 99),
            all.Sum(s => s.Tokens) / seconds,
            rss);
    }
}
