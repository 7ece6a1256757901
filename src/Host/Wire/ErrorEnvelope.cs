using System.Text.Json.Serialization;

namespace Ember.Host.Wire;

/// <summary>The Cloudflare API envelope of a failed call: <c>{"result":null,"success":false,"errors":[{"code":…,"message":…}],"messages":[]}</c>.</summary>
/// <param name="Errors">The errors; one in practice.</param>
public sealed record ErrorEnvelope(IReadOnlyList<ApiErrorItem> Errors)
{
    /// <summary>Gets the result: always <see langword="null"/> on failure.</summary>
    [JsonPropertyOrder(-2)]
    public object? Result => null;

    /// <summary>Gets a value that is always <see langword="false"/>: this is the failure envelope.</summary>
    [JsonPropertyOrder(-1)]
    public bool Success => false;

    /// <summary>Gets the informational messages: always empty.</summary>
    [JsonPropertyOrder(1)]
    public IReadOnlyList<string> Messages => [];
}
