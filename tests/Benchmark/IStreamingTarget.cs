namespace Ember.Benchmark;

/// <summary>One way of serving a request (baseline, engine, HTTP): streams it and records each token's arrival.</summary>
internal interface IStreamingTarget : IAsyncDisposable
{
    /// <summary>Short name for the table.</summary>
    string Mode { get; }

    /// <summary>Streams <paramref name="prompt"/>, calling <paramref name="sample"/>'s recorder as tokens arrive; throws on failure.</summary>
    Task StreamAsync(string prompt, int maxTokens, Func<double> clockMs, RequestSample sample, CancellationToken cancellationToken);

    /// <summary>Peak resident set of the process doing the work, in bytes, or null if not known.</summary>
    long? PeakRssBytes();

    /// <summary>Current resident set of the process doing the work, in bytes, or null if not known.</summary>
    long? RssBytes();
}
