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

    public void RecordToken(double atMs) => _tokenTimes.Add(atMs);

    /// <summary>Gaps between successive tokens of this stream.</summary>
    public IEnumerable<double> InterTokenGaps()
    {
        for (var i = 1; i < _tokenTimes.Count; i++)
        {
            yield return _tokenTimes[i] - _tokenTimes[i - 1];
        }
    }
}
