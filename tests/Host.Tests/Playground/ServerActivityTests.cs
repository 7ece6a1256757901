using System.Diagnostics.Metrics;
using Ember.Host.Playground;
using Ember.Host.Wire;
using Ember.Runtime.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Ember.Host.Tests.Playground;

/// <summary><see cref="ServerActivity"/> on a fake clock, over instruments named as the runtime names them.</summary>
public sealed class ServerActivityTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeTimeProvider _time = new(Start);
    private readonly Counter<long> _generated;
    private int _queuedA;
    private int _queuedB;
    private int _running;

    public ServerActivityTests()
    {
        Meter meter = Meters.Create(GenerationMetrics.MeterName);
        _generated = meter.CreateCounter<long>(GenerationMetrics.GeneratedTokensInstrument);
        meter.CreateObservableUpDownCounter(GenerationMetrics.QueuedInstrument, () => new[]
        {
            new Measurement<int>(_queuedA, new KeyValuePair<string, object?>(GenerationMetrics.ModelTag, "a")),
            new Measurement<int>(_queuedB, new KeyValuePair<string, object?>(GenerationMetrics.ModelTag, "b")),
        });
        meter.CreateObservableUpDownCounter(GenerationMetrics.RunningInstrument, () => _running);
    }

    private IMeterFactory Meters => _services.GetRequiredService<IMeterFactory>();

    [Fact]
    public async Task EverySampleInterval_RecordsTokensPerSecond_AndTheGaugesSummedOverModels()
    {
        using var activity = new ServerActivity(_time, Meters);
        await activity.StartAsync(CancellationToken.None);

        _generated.Add(30, new KeyValuePair<string, object?>(GenerationMetrics.ModelTag, "a"));
        _generated.Add(7, new KeyValuePair<string, object?>(GenerationMetrics.ModelTag, "b"));
        (_queuedA, _queuedB, _running) = (2, 3, 4);
        _time.Advance(ServerActivity.SampleInterval);
        (_queuedA, _queuedB, _running) = (0, 0, 1);
        _time.Advance(ServerActivity.SampleInterval);

        Assert.Equal(
            [
                new ActivitySample(Start.AddSeconds(2).ToUnixTimeMilliseconds(), 18.5, 5, 4),
                new ActivitySample(Start.AddSeconds(4).ToUnixTimeMilliseconds(), 0, 0, 1),
            ],
            activity.Report().Samples);
        Assert.Equal(2, activity.Report().IntervalSeconds);
        Assert.Equal(300, activity.Report().WindowSeconds);
    }

    [Fact]
    public async Task Report_KeepsTheLastWindow_OldestFirst()
    {
        using var activity = new ServerActivity(_time, Meters);
        await activity.StartAsync(CancellationToken.None);

        for (int i = 0; i < ServerActivity.Capacity + 5; i++)
        {
            _generated.Add(2 * i);
            _time.Advance(ServerActivity.SampleInterval);
        }

        IReadOnlyList<ActivitySample> samples = activity.Report().Samples;
        Assert.Equal(150, samples.Count);
        Assert.Equal(Start.AddSeconds(2 * 6).ToUnixTimeMilliseconds(), samples[0].At);
        Assert.Equal(5, samples[0].TokensPerSecond);
        Assert.Equal(Start.AddSeconds(2 * (ServerActivity.Capacity + 5)).ToUnixTimeMilliseconds(), samples[^1].At);
        Assert.Equal(ServerActivity.Capacity + 4, samples[^1].TokensPerSecond);
    }

    [Fact]
    public async Task AnotherHostsMeters_AreNotCounted()
    {
        using var other = new ServiceCollection().AddMetrics().BuildServiceProvider();
        Counter<long> foreign = other.GetRequiredService<IMeterFactory>().Create(GenerationMetrics.MeterName).CreateCounter<long>(GenerationMetrics.GeneratedTokensInstrument);
        using var activity = new ServerActivity(_time, Meters);
        await activity.StartAsync(CancellationToken.None);

        foreign.Add(1000);
        _generated.Add(4);
        _time.Advance(ServerActivity.SampleInterval);

        Assert.Equal(2, Assert.Single(activity.Report().Samples).TokensPerSecond);
    }

    [Fact]
    public async Task AfterStop_NoSampleIsTaken()
    {
        using var activity = new ServerActivity(_time, Meters);
        await activity.StartAsync(CancellationToken.None);
        _time.Advance(ServerActivity.SampleInterval);

        await activity.StopAsync(CancellationToken.None);
        _time.Advance(ServerActivity.SampleInterval * 3);

        Assert.Single(activity.Report().Samples);
    }

    public void Dispose() => _services.Dispose();
}
