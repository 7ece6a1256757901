namespace Ember.Host.Batch;

/// <summary>An item a node leased to run.</summary>
/// <param name="RequestId">Its job.</param>
/// <param name="Index">Its position in the job.</param>
/// <param name="Model">The job's model.</param>
/// <param name="Body">The item's request body.</param>
/// <param name="Attempt">Which attempt this is, from 1.</param>
/// <param name="Token">The lease's own id: a result is taken only from the lease that holds the item.</param>
public sealed record BatchLease(string RequestId, int Index, string Model, string Body, int Attempt, string Token);
