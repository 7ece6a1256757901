using System.Text.Json.Serialization;

namespace Ember.Host.Wire;

/// <summary>The Cloudflare API envelope of a successful call: <c>{"result":…,"success":true,"errors":[],"messages":[]}</c>.</summary>
/// <typeparam name="TResult">The result's wire type.</typeparam>
/// <param name="Result">The call's result.</param>
public sealed record ApiEnvelope<TResult>(TResult Result)
{
    /// <summary>Gets a value that is always <see langword="true"/>: this is the success envelope.</summary>
    public bool Success => true;

    /// <summary>Gets the errors: always empty on success.</summary>
    public IReadOnlyList<ApiErrorItem> Errors => [];

    /// <summary>Gets the informational messages: always empty.</summary>
    public IReadOnlyList<string> Messages => [];

    /// <summary>Gets the paging information of a list result; left out when <see langword="null"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ResultInfo? ResultInfo { get; init; }
}
