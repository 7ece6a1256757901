namespace Ember.Host.Wire.Responses;

/// <summary>Why a response is <c>incomplete</c>.</summary>
/// <param name="Reason">Always <c>max_output_tokens</c>.</param>
public sealed record ResponseIncompleteDetails(string Reason);
