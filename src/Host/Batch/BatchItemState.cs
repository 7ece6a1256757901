namespace Ember.Host.Batch;

/// <summary>An item's state in a poll.</summary>
/// <param name="Index">Its position in the job.</param>
/// <param name="Status">Queued, running or done.</param>
/// <param name="ExternalReference">The client's reference.</param>
/// <param name="Result">Its result once done.</param>
/// <param name="Attempts">How many times a node took it.</param>
public sealed record BatchItemState(int Index, BatchItemStatus Status, string? ExternalReference, BatchItemResult? Result, int Attempts);
