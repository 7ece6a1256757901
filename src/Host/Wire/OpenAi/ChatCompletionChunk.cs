using System.Text.Json.Serialization;

namespace Ember.Host.Wire.OpenAi;

/// <summary>An OpenAI <c>chat.completion.chunk</c>: one streamed event of a chat request.</summary>
/// <param name="Id">The completion's id, the same on every chunk.</param>
/// <param name="Created">Unix seconds when the request was accepted.</param>
/// <param name="Model">The model id.</param>
/// <param name="Choices">One choice, or none on the usage chunk.</param>
/// <param name="Usage">Token counts on the last chunk when <c>stream_options.include_usage</c> is set; otherwise left out.</param>
public sealed record ChatCompletionChunk(
    [property: JsonPropertyOrder(-2)] string Id,
    long Created,
    string Model,
    IReadOnlyList<ChatCompletionChunkChoice> Choices,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] WireUsage? Usage)
{
    /// <summary>Gets the object type: <c>chat.completion.chunk</c>.</summary>
    [JsonPropertyName("object")]
    [JsonPropertyOrder(-1)]
    public string ObjectType => "chat.completion.chunk";
}
