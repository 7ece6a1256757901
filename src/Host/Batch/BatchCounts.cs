namespace Ember.Host.Batch;

/// <summary>Items by status over every job, and jobs not finished.</summary>
public sealed record BatchCounts(long Queued, long Running, long Done, long OpenJobs);
