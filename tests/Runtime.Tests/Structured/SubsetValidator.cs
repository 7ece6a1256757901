using System.Text.Json;

namespace Ember.Runtime.Tests.Structured;

/// <summary>A tiny validator for the schema subset the compiler supports, keys in <c>properties</c> order included.</summary>
internal static class SubsetValidator
{
    public static bool IsValid(JsonElement schema, JsonElement value) => Check(schema, schema, value);

    private static bool Check(JsonElement root, JsonElement schema, JsonElement value)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            string target = reference.GetString()!;
            return Check(root, target == "#" ? root : root.GetProperty("$defs").GetProperty(target["#/$defs/".Length..]), value);
        }

        if (schema.TryGetProperty("anyOf", out var alternatives))
        {
            return alternatives.EnumerateArray().Any(alternative => Check(root, alternative, value));
        }

        bool typed = !schema.TryGetProperty("type", out var type)
            || (type.ValueKind == JsonValueKind.String ? [type.GetString()!] : type.EnumerateArray().Select(t => t.GetString()!).ToArray())
                .Any(name => HasType(root, schema, name, value));
        if (schema.TryGetProperty("enum", out var values))
        {
            return typed && values.EnumerateArray().Any(v => JsonElement.DeepEquals(v, value));
        }

        if (schema.TryGetProperty("const", out var constant))
        {
            return typed && JsonElement.DeepEquals(constant, value);
        }

        return typed;
    }

    private static bool HasType(JsonElement root, JsonElement schema, string type, JsonElement value) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object && IsValidObject(root, schema, value),
        "array" => value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(item => Check(root, schema.GetProperty("items"), item)),
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && value.GetRawText().IndexOfAny(['.', 'e', 'E']) < 0,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => throw new InvalidOperationException(type),
    };

    private static bool IsValidObject(JsonElement root, JsonElement schema, JsonElement value)
    {
        var properties = schema.TryGetProperty("properties", out var map) ? map.EnumerateObject().ToList() : [];
        int last = -1;
        var seen = new HashSet<string>();
        foreach (var member in value.EnumerateObject())
        {
            int index = properties.FindIndex(p => p.Name == member.Name);
            if (index <= last || !Check(root, properties[index].Value, member.Value))
            {
                return false;
            }

            last = index;
            seen.Add(member.Name);
        }

        return !schema.TryGetProperty("required", out var required) || required.EnumerateArray().All(name => seen.Contains(name.GetString()!));
    }
}
