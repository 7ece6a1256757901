using System.Text.Json;
using Ember.Runtime.Generation;

namespace Ember.Host.Validation;

/// <summary>
/// Reads <c>response_format</c> for either API: <c>{"type":"text"}</c>, <c>{"type":"json_object"}</c>, or
/// <c>{"type":"json_schema","json_schema":…}</c> where <c>json_schema</c> is OpenAI's <c>{name, schema, strict}</c> or,
/// as Workers AI sends it, the schema itself. The runtime compiles the schema and refuses what its subset lacks.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class ResponseFormatParser
{
    /// <summary>Reads the field.</summary>
    /// <param name="root">The body.</param>
    /// <param name="fields">Collects the failure.</param>
    /// <returns>The format; <see langword="null"/> when absent, text or invalid.</returns>
    public static ResponseFormat? Parse(JsonElement root, JsonFields fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (fields.ReadObject(root, "response_format", "response_format") is not JsonElement format)
        {
            return null;
        }

        if (!JsonFields.TryGet(format, "type", out JsonElement type) || !JsonFields.TryGetText(type, out string? kind))
        {
            fields.Fail("response_format.type", "is required: \"text\", \"json_object\" or \"json_schema\"");
            return null;
        }

        switch (kind)
        {
            case "text":
                return null;
            case "json_object":
                return new ResponseFormat(ResponseFormatKind.JsonObject);
            case "json_schema":
                if (fields.ReadObject(format, "json_schema", "response_format.json_schema") is not JsonElement wrapper)
                {
                    fields.Fail("response_format.json_schema", "is required: a JSON Schema, or {name, schema, strict}");
                    return null;
                }

                JsonElement schema = JsonFields.TryGet(wrapper, "schema", out JsonElement inner) && (wrapper.TryGetProperty("name", out _) || wrapper.TryGetProperty("strict", out _))
                    ? inner
                    : wrapper;
                if (schema.ValueKind != JsonValueKind.Object)
                {
                    fields.Fail("response_format.json_schema.schema", "must be an object");
                    return null;
                }

                return new ResponseFormat(ResponseFormatKind.JsonSchema, schema.Clone());
            default:
                fields.Fail("response_format.type", "must be \"text\", \"json_object\" or \"json_schema\"");
                return null;
        }
    }
}
