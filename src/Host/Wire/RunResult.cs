namespace Ember.Host.Wire;

/// <summary>The <c>result</c> of a non-streaming run: <c>{"response":"…","usage":{…}}</c>.</summary>
/// <param name="Response">The generated text.</param>
/// <param name="Usage">Token counts.</param>
public sealed record RunResult(string Response, WireUsage Usage);
