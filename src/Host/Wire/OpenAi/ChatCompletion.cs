using System.Text.Json.Serialization;

namespace Ember.Host.Wire.OpenAi;

/// <summary>An OpenAI <c>chat.completion</c> object: the whole answer of a non-streaming chat request.</summary>
/// <param name="Id">The completion's id, <c>chatcmpl-…</c>.</param>
/// <param name="Created">Unix seconds when the request was accepted.</param>
/// <param name="Model">The model id.</param>
/// <param name="Choices">The one choice.</param>
/// <param name="Usage">Token counts.</param>
public sealed record ChatCompletion([property: JsonPropertyOrder(-2)] string Id, long Created, string Model, IReadOnlyList<ChatCompletionChoice> Choices, WireUsage Usage)
{
    /// <summary>Gets the object type: <c>chat.completion</c>.</summary>
    [JsonPropertyName("object")]
    [JsonPropertyOrder(-1)]
    public string ObjectType => "chat.completion";
}
