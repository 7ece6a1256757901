namespace Ember.Host.Wire;

/// <summary>One sample of <c>/stats</c>.</summary>
/// <param name="At">When it was taken, in Unix milliseconds.</param>
/// <param name="TokensPerSecond">Tokens generated per second since the sample before, over every served model.</param>
/// <param name="Queued">Requests waiting for a slot at that moment.</param>
/// <param name="Running">Sequences holding a slot at that moment.</param>
public sealed record ActivitySample(long At, double TokensPerSecond, int Queued, int Running);
