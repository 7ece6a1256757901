using System.Text.Json;

namespace Ember.Runtime.Structured;

/// <summary>
/// Compiles a JSON Schema of OpenAI's strict structured-output subset into a <see cref="JsonGrammar"/>,
/// whose object keys come in the schema's <c>properties</c> order (optional ones may be skipped), no other keys:
/// <c>type</c> (a name or an array of names), <c>properties</c>, <c>required</c>, <c>additionalProperties: false</c>
/// (or absent), <c>items</c>, <c>enum</c>, <c>const</c>, <c>anyOf</c>, root <c>$defs</c> with <c>$ref</c>
/// (<c>#</c> or <c>#/$defs/name</c>); <c>description</c>, <c>title</c>, <c>strict</c> and <c>$schema</c> are ignored.
/// </summary>
internal static class JsonSchemaCompiler
{
    /// <summary>Compiles <paramref name="schema"/>.</summary>
    /// <exception cref="JsonSchemaNotSupportedException">The schema is malformed or outside the subset.</exception>
    public static JsonGrammar Compile(JsonElement schema, int maxDepth = JsonGrammar.DefaultMaxDepth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDepth, 1);
        return new JsonGrammar(new SchemaCompilation(schema, maxDepth).Run(), maxDepth);
    }
}
