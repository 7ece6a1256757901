using Ember.Host.Batch;
using Ember.Host.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Ember.Host.Tests.Batch;

/// <summary>The worker's back-off on a failing store: exponential, capped, jittered into [d/2, d), each change of state logged once.</summary>
public sealed class BatchStoreBackoffTests
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(1, 250)]
    [InlineData(2, 500)]
    [InlineData(3, 1_000)]
    [InlineData(7, 16_000)]
    [InlineData(8, 30_000)]
    [InlineData(9, 30_000)]
    [InlineData(1_000, 30_000)]
    public void DelayAfter_FailuresInARow_DoublesUpToTheCap_JitteredDownByUpToHalf(long failures, int ceilingMs)
    {
        var low = new BatchStoreBackoff(First, Max, new FakeTimeProvider(), new ListLogger<BatchStoreBackoff>(), random: () => 0);
        var high = new BatchStoreBackoff(First, Max, new FakeTimeProvider(), new ListLogger<BatchStoreBackoff>(), random: () => 0.999_999);

        Assert.Equal(TimeSpan.FromMilliseconds(ceilingMs / 2.0), low.DelayAfter(failures));
        Assert.InRange(high.DelayAfter(failures), TimeSpan.FromMilliseconds(ceilingMs * 0.999), TimeSpan.FromMilliseconds(ceilingMs) - TimeSpan.FromTicks(1));
    }

    [Fact]
    public void DelayAfter_RandomJitter_StaysWithinHalfToWholeOfTheCeiling()
    {
        var backoff = new BatchStoreBackoff(First, Max, new FakeTimeProvider(), new ListLogger<BatchStoreBackoff>());

        TimeSpan[] delays = [.. Enumerable.Range(0, 1_000).Select(_ => backoff.DelayAfter(20))];

        Assert.All(delays, delay => Assert.InRange(delay, Max / 2, Max));
        Assert.True(delays.Distinct().Count() > 900, "the delays are spread, not one value");
    }

    [Fact]
    public void FailedThenSucceeded_ManyTimes_LogsEachChangeOfStateOnce()
    {
        var time = new FakeTimeProvider();
        var logger = new ListLogger<BatchStoreBackoff>();
        var backoff = new BatchStoreBackoff(First, Max, time, logger);

        backoff.Succeeded();
        for (int i = 0; i < 50; i++)
        {
            backoff.Failed(new BatchStoreException("down"));
            time.Advance(TimeSpan.FromSeconds(1));
        }

        backoff.Succeeded();
        backoff.Succeeded();

        Assert.Equal(1, logger.Count(2304));
        Assert.Equal(1, logger.Count(2305));
        Assert.Contains("after 50 failed calls over 00:00:50", logger.Entries.Single(entry => entry.Id.Id == 2305).Message, StringComparison.Ordinal);
        Assert.Equal(0, backoff.Failures);
        Assert.Equal(First / 2, new BatchStoreBackoff(First, Max, time, logger, random: () => 0).DelayAfter(1));
    }
}
