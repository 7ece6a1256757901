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

        return ParseFormat(format, "response_format", fields, flat: false);
    }

    /// <summary>
    /// Reads a format object: <c>{"type":"text"}</c>, <c>{"type":"json_object"}</c>, or <c>{"type":"json_schema",…}</c>
    /// whose schema is under <c>json_schema</c> (chat and Workers AI) or, <paramref name="flat"/>, under <c>schema</c> in
    /// the format itself (the Responses API's <c>text.format</c>).
    /// </summary>
    /// <param name="format">The format object.</param>
    /// <param name="path">Its path, for messages: <c>response_format</c> or <c>text.format</c>.</param>
    /// <param name="fields">Collects the failure.</param>
    /// <param name="flat">Whether the schema is the format's own <c>schema</c>.</param>
    /// <returns>The format; <see langword="null"/> for text or when invalid.</returns>
    internal static ResponseFormat? ParseFormat(JsonElement format, string path, JsonFields fields, bool flat)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (!JsonFields.TryGet(format, "type", out JsonElement type) || !JsonFields.TryGetText(type, out string? kind))
        {
            fields.Fail(path + ".type", "is required: \"text\", \"json_object\" or \"json_schema\"");
            return null;
        }

        switch (kind)
        {
            case "text":
                return null;
            case "json_object":
                return new ResponseFormat(ResponseFormatKind.JsonObject);
            case "json_schema":
                JsonElement? schema = flat ? FlatSchema(format, path, fields) : WrappedSchema(format, path, fields);
                return schema is { } value ? new ResponseFormat(ResponseFormatKind.JsonSchema, value.Clone()) : null;
            default:
                fields.Fail(path + ".type", "must be \"text\", \"json_object\" or \"json_schema\"");
                return null;
        }
    }

    private static JsonElement? FlatSchema(JsonElement format, string path, JsonFields fields)
    {
        if (fields.ReadObject(format, "schema", path + ".schema") is not JsonElement schema)
        {
            fields.Fail(path + ".schema", "is required: a JSON Schema");
            return null;
        }

        return schema;
    }

    private static JsonElement? WrappedSchema(JsonElement format, string path, JsonFields fields)
    {
        if (fields.ReadObject(format, "json_schema", path + ".json_schema") is not JsonElement wrapper)
        {
            fields.Fail(path + ".json_schema", "is required: a JSON Schema, or {name, schema, strict}");
            return null;
        }

        JsonElement schema = JsonFields.TryGet(wrapper, "schema", out JsonElement inner) && (wrapper.TryGetProperty("name", out _) || wrapper.TryGetProperty("strict", out _))
            ? inner
            : wrapper;
        if (schema.ValueKind != JsonValueKind.Object)
        {
            fields.Fail(path + ".json_schema.schema", "must be an object");
            return null;
        }

        return schema;
    }
}
