namespace Ember.Host.Batch;

/// <summary>A job and its items, as a poll reads them.</summary>
/// <param name="Job">The job.</param>
/// <param name="Items">Its items, by index.</param>
/// <param name="Finished">When its last item got its result, or <see langword="null"/>.</param>
public sealed record BatchJobState(BatchJob Job, IReadOnlyList<BatchItemState> Items, DateTimeOffset? Finished);
