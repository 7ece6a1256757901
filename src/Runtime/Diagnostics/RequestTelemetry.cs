using Ember.Runtime.Generation;

namespace Ember.Runtime.Diagnostics;

/// <summary>
/// One accepted request's measurements: when it was accepted and when its first and last tokens came; at its end
/// it records duration, tokens and outcome, and for a request that ran to stop or length the time per output
/// token (first to last token), into <see cref="GenerationMetrics"/>, once.
/// </summary>
/// <remarks>
/// <see cref="Admitted"/> and <see cref="Token"/> run on the scheduler's thread. <see cref="End"/> runs there too, or, for a request that
/// never reached a slot, on whichever thread abandoned or closed its queue; it is guarded so a second end records nothing.
/// </remarks>
internal sealed class RequestTelemetry : IGenerationTelemetry
{
    private readonly GenerationMetrics _metrics;
    private readonly string _model;
    private readonly string? _adapter;
    private readonly long _accepted;
    private long _firstToken;
    private long _lastToken;
    private int _ended;
    private bool _admitted;

    public RequestTelemetry(GenerationMetrics metrics, string model, long accepted, string? adapter = null)
    {
        _metrics = metrics;
        _model = model;
        _adapter = adapter;
        _accepted = accepted;
    }

    /// <inheritdoc/>
    /// <remarks>Records the time it queued, once.</remarks>
    public void Admitted(int? cachedPromptTokens = null)
    {
        if (!_admitted)
        {
            _admitted = true;
            _metrics.RecordQueueTime(_model, _metrics.Seconds(_accepted, _metrics.Now()));
            if (cachedPromptTokens is { } cached)
            {
                _metrics.RecordPrefixLookup(_model, cached);
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>The first one records the time to first token.</remarks>
    public void Token()
    {
        _lastToken = _metrics.Now();
        _metrics.RecordGenerated(_model);
        if (_firstToken == 0)
        {
            _firstToken = _lastToken;
            _metrics.RecordFirstToken(_model, _metrics.Seconds(_accepted, _firstToken));
        }
    }

    /// <inheritdoc/>
    public void Finished(FinishReason reason, int promptTokens, int completionTokens) =>
        End(GenerationMetrics.OutcomeOf(reason), reason != FinishReason.Cancelled, promptTokens, completionTokens);

    /// <inheritdoc/>
    public void Failed(AiErrorKind kind, int promptTokens, int completionTokens) =>
        End(GenerationMetrics.OutcomeOf(kind), ranToEnd: false, promptTokens, completionTokens);

    /// <summary>The request ended with <paramref name="outcome"/> after generating <paramref name="completionTokens"/>.</summary>
    /// <param name="outcome">The outcome tag.</param>
    /// <param name="ranToEnd">Whether it ended at stop or length (only those give a time per output token).</param>
    /// <param name="promptTokens">Its prompt tokens.</param>
    /// <param name="completionTokens">Its generated tokens.</param>
    private void End(string outcome, bool ranToEnd, int promptTokens, int completionTokens)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        // Cancelled, timed out or shut down while still queued: the longest waits, so they count too.
        Admitted();
        var now = _metrics.Now();

        double? perOutputToken = ranToEnd && completionTokens > 1 ? _metrics.Seconds(_firstToken, _lastToken) / (completionTokens - 1) : null;
        _metrics.RecordEnd(_model, outcome, _metrics.Seconds(_accepted, now), promptTokens, completionTokens, perOutputToken);
        if (_adapter is not null)
        {
            _metrics.RecordAdapterEnd(_model, _adapter, outcome, completionTokens);
        }
    }
}
