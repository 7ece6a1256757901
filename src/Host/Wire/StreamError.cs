namespace Ember.Host.Wire;

/// <summary>The event sent when a run fails after streaming began: <c>{"error":{"code":…,"message":…}}</c>.</summary>
/// <param name="Error">The error.</param>
public sealed record StreamError(ApiErrorItem Error);
