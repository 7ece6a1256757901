namespace Ember.Host.Wire;

/// <summary>A batch job not finished yet: <c>{"status":"queued"|"running","request_id","model"}</c>.</summary>
/// <param name="Status"><c>queued</c> until a node took one of its items, then <c>running</c>.</param>
/// <param name="RequestId">The id to poll with.</param>
/// <param name="Model">The model.</param>
public sealed record BatchQueued(string Status, string RequestId, string Model);
