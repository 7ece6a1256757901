using System.Text.Json.Serialization;

namespace Ember.Host.Wire.OpenAi;

/// <summary>OpenAI's model list: <c>{"object":"list","data":[…]}</c>.</summary>
/// <param name="Data">The models.</param>
public sealed record OpenAiModelList(IReadOnlyList<OpenAiModel> Data)
{
    /// <summary>Gets the object type: <c>list</c>.</summary>
    [JsonPropertyName("object")]
    [JsonPropertyOrder(-1)]
    public string ObjectType => "list";
}
