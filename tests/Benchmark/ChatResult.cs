namespace Ember.Benchmark;

/// <summary>The chat scenario's figures with prefix caching on or off.</summary>
internal sealed record ChatResult(
    bool Caching,
    int Conversations,
    int Turns,
    int Errors,
    double TokensPerSecond,
    double TtftP50,
    double TtftP99,
    double LastTurnTtftP50,
    double HitTurns,
    double CachedShare,
    double LaterCachedShare,
    ChatTurn Probe)
{
    /// <summary>Gets the free slots keeping a history at the end (the host's <c>ember_prefix_cache_retained</c>).</summary>
    public double Retained { get; init; }

    /// <summary>Gets the share of admissions that found a kept prefix since the host started (its <c>ember_prefix_cache_hit_ratio</c>), the warm-up and the long-history probe included.</summary>
    public double HostHitRatio { get; init; }

    public static ChatResult From(bool caching, int conversations, int turns, IReadOnlyList<ChatTurn> done, double wallSeconds, ChatTurn probe)
    {
        var ok = done.Where(t => t.Sample.Error is null).ToList();
        var ttft = ok.Select(t => t.Sample.TimeToFirstTokenMs).OfType<double>().ToList();
        var last = ok.Where(t => t.Turn == turns - 1).Select(t => t.Sample.TimeToFirstTokenMs).OfType<double>().ToList();
        var prompt = ok.Sum(t => (long)t.PromptTokens);
        var later = ok.Where(t => t.Turn > 0).ToList();
        var laterPrompt = later.Sum(t => (long)t.PromptTokens);
        return new ChatResult(
            caching,
            conversations,
            turns,
            done.Count - ok.Count,
            wallSeconds > 0 ? ok.Sum(t => t.Sample.Tokens) / wallSeconds : 0,
            Percentiles.Of(ttft, 50) ?? 0,
            Percentiles.Of(ttft, 99) ?? 0,
            Percentiles.Of(last, 50) ?? 0,
            ok.Count > 0 ? (double)ok.Count(t => t.CachedTokens > 0) / ok.Count : 0,
            prompt > 0 ? (double)ok.Sum(t => (long)t.CachedTokens) / prompt : 0,
            laterPrompt > 0 ? (double)later.Sum(t => (long)t.CachedTokens) / laterPrompt : 0,
            probe);
    }
}
