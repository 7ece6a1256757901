using System.Text.Json.Serialization;

namespace Ember.Host.Wire.OpenAi;

/// <summary>
/// An OpenAI <c>text_completion</c> object: the whole answer of a non-streaming completions request, and
/// also the shape of each streamed chunk (as OpenAI does).
/// </summary>
/// <param name="Id">The completion's id, <c>cmpl-…</c>.</param>
/// <param name="Created">Unix seconds when the request was accepted.</param>
/// <param name="Model">The model id.</param>
/// <param name="Choices">One choice, or none on the usage chunk.</param>
/// <param name="Usage">Token counts; on streamed chunks only the usage chunk has them.</param>
public sealed record TextCompletion(
    [property: JsonPropertyOrder(-2)] string Id,
    long Created,
    string Model,
    IReadOnlyList<TextCompletionChoice> Choices,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] WireUsage? Usage)
{
    /// <summary>Gets the object type: <c>text_completion</c>.</summary>
    [JsonPropertyName("object")]
    [JsonPropertyOrder(-1)]
    public string ObjectType => "text_completion";
}
