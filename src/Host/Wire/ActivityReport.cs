namespace Ember.Host.Wire;

/// <summary>The body of <c>/stats</c>: the samples of the last <paramref name="WindowSeconds"/>, oldest first.</summary>
/// <param name="IntervalSeconds">Seconds between samples.</param>
/// <param name="WindowSeconds">Seconds of samples kept.</param>
/// <param name="Samples">The samples.</param>
public sealed record ActivityReport(int IntervalSeconds, int WindowSeconds, IReadOnlyList<ActivitySample> Samples);
