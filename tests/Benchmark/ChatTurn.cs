namespace Ember.Benchmark;

/// <summary>One turn of a benchmark conversation: its timing, and its prompt and cached tokens from the final usage event.</summary>
internal sealed record ChatTurn(int Turn, RequestSample Sample, int PromptTokens, int CachedTokens);
