namespace Ember.Runtime.Generation;

/// <summary>What shape the generated text must have.</summary>
public enum ResponseFormatKind
{
    /// <summary>Free text (no constraint).</summary>
    Text,

    /// <summary>One JSON object (OpenAI's and Workers AI's <c>json_object</c>).</summary>
    JsonObject,

    /// <summary>One JSON value valid against a JSON Schema (<c>json_schema</c>), OpenAI's strict subset.</summary>
    JsonSchema,
}
