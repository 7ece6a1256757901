namespace Ember.Runtime.Scheduling;

/// <summary>
/// Totals of the continuous scheduler's working iterations: how many, how long, and how much of that was inside ONNX
/// Runtime's <c>Run</c>; the rest is Ember's own work on the scheduler thread, which the worker threads wait through.
/// </summary>
/// <param name="Iterations">Working iterations (at least one sequence held a slot).</param>
/// <param name="DecodeSteps">Decode steps (one <c>Run</c> each).</param>
/// <param name="PrefillTokens">Prompt tokens prefilled.</param>
/// <param name="Total">Time the iterations took.</param>
/// <param name="DecodeRun">Time inside the decode steps' <c>Run</c>.</param>
/// <param name="PrefillRun">Time inside the prefill calls' <c>Run</c>.</param>
public sealed record StepSplit(long Iterations, long DecodeSteps, long PrefillTokens, TimeSpan Total, TimeSpan DecodeRun, TimeSpan PrefillRun)
{
    /// <summary>Gets Ember's own time: the iterations' time outside <c>Run</c>.</summary>
    public TimeSpan Own => Total - DecodeRun - PrefillRun;

    /// <summary>The split of the window between an earlier snapshot and this one.</summary>
    /// <param name="earlier">The earlier snapshot.</param>
    /// <returns>The difference.</returns>
    public StepSplit Since(StepSplit earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        return new(Iterations - earlier.Iterations, DecodeSteps - earlier.DecodeSteps, PrefillTokens - earlier.PrefillTokens, Total - earlier.Total, DecodeRun - earlier.DecodeRun, PrefillRun - earlier.PrefillRun);
    }
}
