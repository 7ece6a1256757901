using System.Text.Json.Serialization;

namespace Ember.Host.Wire;

/// <summary>The last JSON event of a streamed run, before <c>[DONE]</c>: <c>{"response":"","usage":{…}}</c>.</summary>
/// <param name="Usage">Token counts.</param>
public sealed record StreamFinal(WireUsage Usage)
{
    /// <summary>Gets the response text: always empty on the final event.</summary>
    [JsonPropertyOrder(-1)]
    public string Response => string.Empty;
}
