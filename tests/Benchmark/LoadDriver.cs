using System.Diagnostics;

namespace Ember.Benchmark;

/// <summary>Sends a fixed number of requests to a target with a fixed number in flight, drawing a progress line.</summary>
internal static class LoadDriver
{
    public static async Task<(IReadOnlyList<RequestSample> Samples, double WallSeconds)> RunAsync(
        IStreamingTarget target, int concurrency, int requests, int maxTokens, string label, CancellationToken cancellationToken)
    {
        var samples = new RequestSample[requests];
        var next = -1;
        var done = 0;
        var wall = Stopwatch.StartNew();

        async Task WorkerAsync()
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < requests)
            {
                var sample = new RequestSample();
                var started = Stopwatch.GetTimestamp();
                double Clock() => Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                try
                {
                    await target.StreamAsync(BenchmarkPrompts.For(index), maxTokens, Clock, sample, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    sample.Error = $"{e.GetType().Name}: {e.Message}";
                }

                sample.EndMs = Clock();
                samples[index] = sample;
                var finished = Interlocked.Increment(ref done);
                Console.Error.Write($"\r  {label}: {finished}/{requests} requests, {wall.Elapsed.TotalSeconds:F1}s   ");
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Math.Min(concurrency, requests)).Select(_ => Task.Run(WorkerAsync, cancellationToken))).ConfigureAwait(false);
        wall.Stop();
        Console.Error.WriteLine();
        return (samples, wall.Elapsed.TotalSeconds);
    }
}
