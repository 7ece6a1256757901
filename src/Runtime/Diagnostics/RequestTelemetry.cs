namespace Ember.Runtime.Diagnostics;

/// <summary>
/// One accepted request's measurements: when it was accepted and when its first token came; at its end it
/// records duration, tokens, outcome and time per output token into <see cref="GenerationMetrics"/>, once.
/// </summary>
/// <remarks>Written by the scheduler's thread only; <see cref="End"/> is guarded so a second end records nothing.</remarks>
internal sealed class RequestTelemetry
{
    private readonly GenerationMetrics _metrics;
    private readonly string _model;
    private readonly long _accepted;
    private long _firstToken;
    private int _ended;

    public RequestTelemetry(GenerationMetrics metrics, string model, long accepted)
    {
        _metrics = metrics;
        _model = model;
        _accepted = accepted;
    }

    /// <summary>A token was generated; the first one records the time to first token.</summary>
    public void Token()
    {
        if (_firstToken == 0)
        {
            _firstToken = _metrics.Now();
            _metrics.RecordFirstToken(_model, _metrics.Seconds(_accepted, _firstToken));
        }
    }

    /// <summary>The request ended with <paramref name="outcome"/> after generating <paramref name="completionTokens"/>.</summary>
    public void End(string outcome, int promptTokens, int completionTokens)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        var now = _metrics.Now();
        double? perOutputToken = completionTokens > 1 ? _metrics.Seconds(_firstToken, now) / (completionTokens - 1) : null;
        _metrics.RecordEnd(_model, outcome, _metrics.Seconds(_accepted, now), promptTokens, completionTokens, perOutputToken);
    }
}
