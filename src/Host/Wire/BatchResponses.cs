namespace Ember.Host.Wire;

/// <summary>A finished batch job: <c>{"responses":[…],"usage":{…}}</c>, usage summed over the items that ran.</summary>
/// <param name="Responses">Every item's answer, by id.</param>
/// <param name="Usage">Tokens over the job.</param>
public sealed record BatchResponses(IReadOnlyList<BatchResponseItem> Responses, WireUsage Usage);
