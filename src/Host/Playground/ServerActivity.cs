using System.Diagnostics.Metrics;
using Ember.Host.Wire;
using Ember.Runtime.Diagnostics;

namespace Ember.Host.Playground;

/// <summary>
/// The live view behind <c>/stats</c>: every <see cref="SampleInterval"/> it reads the runtime's meter (the same
/// instruments <c>/metrics</c> exports) and keeps, for the last <see cref="Window"/>, the generated tokens per second
/// and the requests queued and sequences running, summed over the served models.
/// </summary>
/// <remarks>
/// It listens only to the meters of this host's own <see cref="IMeterFactory"/>, so hosts sharing a process do not
/// see each other. Samples start when the host starts. Thread-safe.
/// </remarks>
public sealed class ServerActivity : IHostedService, IDisposable
{
    /// <summary>How often a sample is taken.</summary>
    public static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(2);

    /// <summary>How far back samples are kept.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    /// <summary>The number of samples kept: <see cref="Window"/> over <see cref="SampleInterval"/>.</summary>
    public static readonly int Capacity = (int)(Window / SampleInterval);

    private readonly TimeProvider _time;
    private readonly IMeterFactory _meters;
    private readonly Lock _gate = new();
    private readonly Queue<ActivitySample> _samples = new();
    private readonly MeterListener _listener = new();
    private long _generated;
    private long _lastGenerated;
    private long _lastTimestamp;
    private long _queued;
    private long _running;
    private ITimer? _timer;

    /// <summary>Creates the sampler.</summary>
    /// <param name="time">The clock samples are timed and stamped with.</param>
    /// <param name="meters">The host's meter factory, whose <see cref="GenerationMetrics.MeterName"/> meter is read.</param>
    public ServerActivity(TimeProvider time, IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(meters);
        _time = time;
        _meters = meters;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, _meters) && instrument.Meter.Name == GenerationMetrics.MeterName
                && instrument.Name is GenerationMetrics.GeneratedTokensInstrument or GenerationMetrics.QueuedInstrument or GenerationMetrics.RunningInstrument)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => Add(instrument, value));
        _listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => Add(instrument, value));
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _listener.Start();
        lock (_gate)
        {
            _lastTimestamp = _time.GetTimestamp();
        }

        _timer = _time.CreateTimer(_ => Sample(), null, SampleInterval, SampleInterval);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        return Task.CompletedTask;
    }

    /// <summary>Gets the samples kept, oldest first.</summary>
    /// <returns>The report <c>/stats</c> writes.</returns>
    public ActivityReport Report()
    {
        lock (_gate)
        {
            return new ActivityReport((int)SampleInterval.TotalSeconds, (int)Window.TotalSeconds, [.. _samples]);
        }
    }

    /// <summary>Takes a sample now; the timer calls it every <see cref="SampleInterval"/>.</summary>
    public void Sample()
    {
        lock (_gate)
        {
            Interlocked.Exchange(ref _queued, 0);
            Interlocked.Exchange(ref _running, 0);
            _listener.RecordObservableInstruments();
            long now = _time.GetTimestamp();
            long generated = Interlocked.Read(ref _generated);
            double seconds = _time.GetElapsedTime(_lastTimestamp, now).TotalSeconds;
            double rate = seconds > 0 ? Math.Round((generated - _lastGenerated) / seconds, 1) : 0;
            _lastGenerated = generated;
            _lastTimestamp = now;
            if (_samples.Count == Capacity)
            {
                _samples.Dequeue();
            }

            _samples.Enqueue(new ActivitySample(_time.GetUtcNow().ToUnixTimeMilliseconds(), rate, (int)Interlocked.Read(ref _queued), (int)Interlocked.Read(ref _running)));
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _timer?.Dispose();
        _listener.Dispose();
    }

    private void Add(Instrument instrument, long value)
    {
        switch (instrument.Name)
        {
            case GenerationMetrics.GeneratedTokensInstrument:
                Interlocked.Add(ref _generated, value);
                break;
            case GenerationMetrics.QueuedInstrument:
                Interlocked.Add(ref _queued, value);
                break;
            default:
                Interlocked.Add(ref _running, value);
                break;
        }
    }
}
