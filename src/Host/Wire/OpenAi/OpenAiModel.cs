using System.Text.Json.Serialization;

namespace Ember.Host.Wire.OpenAi;

/// <summary>One entry of OpenAI's model list.</summary>
/// <param name="Id">The model id.</param>
/// <param name="Created">Unix seconds of the catalog the model comes from.</param>
/// <param name="OwnedBy"><c>cloudflare</c>, <c>huggingface</c> or <c>ember</c>.</param>
public sealed record OpenAiModel([property: JsonPropertyOrder(-2)] string Id, long Created, string OwnedBy)
{
    /// <summary>Gets the object type: <c>model</c>.</summary>
    [JsonPropertyName("object")]
    [JsonPropertyOrder(-1)]
    public string ObjectType => "model";
}
