using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ember.Host.Wire;

/// <summary>One item's answer: <c>{"id","result","success","external_reference"}</c>.</summary>
/// <param name="Id">The item's position in the job's <c>requests</c>, from 0.</param>
/// <param name="Result">What the same request would have answered interactively: <c>{response, usage}</c>, or <c>{code, message}</c>.</param>
/// <param name="Success">Whether it ran to a result.</param>
/// <param name="ExternalReference">The client's reference, when it gave one.</param>
public sealed record BatchResponseItem(
    int Id,
    JsonElement Result,
    bool Success,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ExternalReference);
