namespace Ember.Host.Wire;

/// <summary>The body of <c>/readyz</c>: <c>{"status":"ready"}</c> or <c>{"status":"loading"}</c>.</summary>
/// <param name="Status">The state.</param>
public sealed record HealthStatus(string Status);
