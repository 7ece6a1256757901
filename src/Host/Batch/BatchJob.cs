namespace Ember.Host.Batch;

/// <summary>A batch job as submitted.</summary>
/// <param name="RequestId">The unguessable id the client polls with.</param>
/// <param name="Model">The catalog model id.</param>
/// <param name="AccountId">The account id of the submitting path: polling from another answers as for an unknown id.</param>
/// <param name="Owner">A digest of the bearer token that submitted it, or <see langword="null"/> without authentication: another token's poll answers as for an unknown id.</param>
/// <param name="Created">When it was submitted.</param>
public sealed record BatchJob(string RequestId, string Model, string AccountId, string? Owner, DateTimeOffset Created);
