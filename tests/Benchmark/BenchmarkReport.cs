namespace Ember.Benchmark;

/// <summary>Everything a run measured, as written by <c>--json</c>.</summary>
internal sealed record BenchmarkReport(
    string Preset,
    string Variant,
    int MaxTokens,
    int RequestsPerLevel,
    int ProcessorCount,
    IReadOnlyList<LevelResult> Results,
    IReadOnlyList<RatioRow> Ratios,
    IReadOnlyDictionary<string, string> Notes,
    SoakResult? Soak,
    SustainedResult? Sustained = null);
