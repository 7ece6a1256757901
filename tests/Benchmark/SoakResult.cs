namespace Ember.Benchmark;

/// <summary>Soak mode: resident set after the first 200 requests and after all of them.</summary>
internal sealed record SoakResult(string Mode, int Concurrency, int Requests, int Errors, double? RssAfter200MiB, double? RssAfterAllMiB, double? PeakRssMiB);
