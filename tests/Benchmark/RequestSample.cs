namespace Ember.Benchmark;

/// <summary>What one streamed request looked like from the caller's side; times are milliseconds from submission.</summary>
internal sealed class RequestSample
{
    private readonly List<double> _tokenTimes = [];

    public IReadOnlyList<double> TokenTimes => _tokenTimes;

    public double EndMs { get; set; }

    public string? Error { get; set; }

    public int Tokens => _tokenTimes.Count;

    public double? TimeToFirstTokenMs => _tokenTimes.Count > 0 ? _tokenTimes[0] : null;

    /// <summary>Sustained-load mode: after this many tokens the client leaves (cancels <see cref="Leave"/>).</summary>
    public int? AbandonAfter { get; init; }

    /// <summary>What the client cancels to leave mid-stream.</summary>
    public CancellationTokenSource? Leave { get; init; }

    /// <summary>Whether the client left as planned.</summary>
    public bool Abandoned { get; set; }

    public void RecordToken(double atMs)
    {
        _tokenTimes.Add(atMs);
        if (_tokenTimes.Count == AbandonAfter)
        {
            Leave?.Cancel();
        }
    }

    /// <summary>Gaps between successive tokens of this stream.</summary>
    public IEnumerable<double> InterTokenGaps()
    {
        for (var i = 1; i < _tokenTimes.Count; i++)
        {
            yield return _tokenTimes[i] - _tokenTimes[i - 1];
        }
    }
}
