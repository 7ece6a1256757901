using System.Text.Json;
using Ember.Runtime.Structured;

namespace Ember.Runtime.Tests.Structured;

public sealed class JsonSchemaCompilerTests
{
    [Theory]
    [InlineData("""{"type":"object","properties":{"age":{"type":"integer","minimum":0}}}""", "schema /properties/age: 'minimum' is not supported")]
    [InlineData("""{"type":"string","pattern":"a+"}""", "schema (root): 'pattern' is not supported")]
    [InlineData("""{"oneOf":[{"type":"string"}]}""", "schema (root): 'oneOf' is not supported")]
    [InlineData("""{"type":"object","properties":{"a/b":{"type":"string","format":"email"}}}""", "schema /properties/a~1b: 'format' is not supported")]
    [InlineData("""{"$defs":{"x":{"type":"string","maxLength":3}},"type":"null"}""", "schema /$defs/x: 'maxLength' is not supported")]
    [InlineData("""{"type":"array","items":{"type":"object","properties":{"n":{"type":"number","multipleOf":2}}}}""", "schema /items/properties/n: 'multipleOf' is not supported")]
    [InlineData("""{"anyOf":[{"type":"null"},{"type":"string","minLength":1}]}""", "schema /anyOf/1: 'minLength' is not supported")]
    [InlineData("""[1]""", "schema (root): a schema must be an object")]
    [InlineData("""true""", "schema (root): a schema must be an object")]
    [InlineData("""{"type":"array","items":[{"type":"string"}]}""", "schema /items: a schema must be an object")]
    [InlineData("""{"type":"object","properties":{},"additionalProperties":true}""", "schema (root): 'additionalProperties' must be false")]
    [InlineData("""{"type":"object","additionalProperties":{"type":"string"}}""", "schema (root): 'additionalProperties' must be false")]
    [InlineData("""{"$ref":"#/$defs/missing"}""", "schema (root): '$ref' names a missing definition '#/$defs/missing'")]
    [InlineData("""{"$ref":"http://example.com/s.json"}""", "schema (root): '$ref' must be '#' or '#/$defs/<name>'")]
    [InlineData("""{"$ref":"#","type":"object"}""", "schema (root): 'type' next to '$ref' is not supported")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"string"}},"required":["a","x"]}""", "schema (root): 'required' names 'x', which is not in 'properties'")]
    [InlineData("""{"enum":[]}""", "schema (root): 'enum' must be a non-empty array")]
    [InlineData("""{"type":"string","enum":[1,2]}""", "schema (root): 'enum' has no value of the given 'type'")]
    [InlineData("""{"anyOf":[]}""", "schema (root): 'anyOf' must be a non-empty array")]
    [InlineData("""{"anyOf":[{"type":"null"}],"type":"string"}""", "schema (root): 'type' next to 'anyOf' is not supported")]
    [InlineData("""{"type":"date"}""", "schema (root): 'type' 'date' is not supported")]
    [InlineData("""{"type":[]}""", "schema (root): 'type' must be a name or a non-empty array of names")]
    [InlineData("""{"description":"anything"}""", "schema (root): a schema needs 'type', 'enum', 'const', 'anyOf' or '$ref'")]
    [InlineData("""{"type":"array"}""", "schema (root): 'type' 'array' needs 'items'")]
    [InlineData("""{"type":"string","properties":{}}""", "schema (root): 'properties' needs 'type' 'object'")]
    [InlineData("""{"type":"string","items":{"type":"string"}}""", "schema (root): 'items' needs 'type' 'array'")]
    [InlineData("""{"type":"object","properties":{"a":{"$defs":{},"type":"null"}}}""", "schema /properties/a: '$defs' is only supported at the root")]
    [InlineData("""{"$defs":{"loop":{"type":"object","properties":{"self":{"$ref":"#/$defs/loop"}},"required":["self"],"additionalProperties":false}},"$ref":"#/$defs/loop"}""", "schema (root): '$ref' recursion admits no finite value")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"object","properties":{"up":{"$ref":"#"}},"required":["up"]}},"required":["a"]}""", "schema /properties/a/properties/up: '$ref' recursion admits no finite value")]
    [InlineData("""{"anyOf":[{"$ref":"#"},{"type":"null"}]}""", "schema (root): '$ref' recursion must pass through an object or an array")]
    [InlineData("""{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"}""", "schema /$defs/a: '$ref' recursion must pass through an object or an array")]
    public void Compile_Unsupported_RefusedNamingPointerAndKeyword(string schema, string message)
    {
        using var document = JsonDocument.Parse(schema);

        var refused = Assert.Throws<JsonSchemaNotSupportedException>(() => JsonSchemaCompiler.Compile(document.RootElement));

        Assert.Equal(message, refused.Message);
    }

    [Fact]
    public void Compile_RequiredNestingOverTheBound_Refused()
    {
        using var document = JsonDocument.Parse("""
            {"type":"object","properties":{"a":{"type":"object","properties":{"b":{"type":"object"}},"required":["b"]}},"required":["a"]}
            """);

        var refused = Assert.Throws<JsonSchemaNotSupportedException>(() => JsonSchemaCompiler.Compile(document.RootElement, maxDepth: 2));

        Assert.Equal("schema (root): required properties nest deeper than 2 levels", refused.Message);
        Assert.Equal(string.Empty, refused.Pointer);
    }

    [Fact]
    public void Compile_Refusal_CarriesThePointer()
    {
        using var document = JsonDocument.Parse("""{"type":"object","properties":{"x":{"type":"string","format":"date"}}}""");

        var refused = Assert.Throws<JsonSchemaNotSupportedException>(() => JsonSchemaCompiler.Compile(document.RootElement));

        Assert.Equal("/properties/x", refused.Pointer);
    }

    [Theory]
    [InlineData("""{"type":"string","description":"d","title":"t","$schema":"https://json-schema.org/draft/2020-12/schema","strict":true}""")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false}""")]
    [InlineData("""{"type":"object"}""")]
    [InlineData("""{"type":["integer","null"],"enum":[1,null,"x"]}""")]
    [InlineData("""{"$defs":{"unused":{"type":"null"}},"type":"boolean"}""")]
    [InlineData("""{"$defs":{"n":{"type":"object","properties":{"kids":{"type":"array","items":{"$ref":"#/$defs/n"}}},"required":["kids"]}},"$ref":"#/$defs/n"}""")]
    public void Compile_Supported_MakesAConstraint(string schema)
    {
        using var document = JsonDocument.Parse(schema);

        var constraint = JsonSchemaCompiler.Compile(document.RootElement);

        Assert.Equal(JsonGrammar.DefaultMaxDepth, constraint.MaxDepth);
        Assert.False(constraint.IsComplete(constraint.Start));
    }
}
