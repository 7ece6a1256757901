using System.Text.Encodings.Web;
using System.Text.Json;

namespace Ember.Runtime.Structured;

/// <summary>One run of <see cref="JsonSchemaCompiler"/>: builds the grammar nodes, resolves <c>$ref</c>s and checks recursion.</summary>
internal sealed class SchemaCompilation
{
    private const string DefsPrefix = "#/$defs/";

    private static readonly JsonWriterOptions CompactWriter = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    private readonly JsonElement _root;
    private readonly int _maxDepth;
    private readonly List<GrammarNode> _nodes = [];
    private readonly Dictionary<string, GrammarNode> _defs = new(StringComparer.Ordinal);

    /// <summary>Initializes a new instance of the <see cref="SchemaCompilation"/> class.</summary>
    public SchemaCompilation(JsonElement root, int maxDepth)
    {
        _root = root;
        _maxDepth = maxDepth;
    }

    /// <summary>Compiles the schema and returns its root node, <c>$ref</c>s resolved away.</summary>
    public GrammarNode Run()
    {
        var top = Compile(_root, string.Empty);
        if (_root.TryGetProperty("$defs", out var definitions))
        {
            if (definitions.ValueKind != JsonValueKind.Object)
            {
                throw new JsonSchemaNotSupportedException(string.Empty, "'$defs' must be an object");
            }

            foreach (var definition in definitions.EnumerateObject())
            {
                if (!_defs.TryAdd(definition.Name, Compile(definition.Value, "/$defs/" + Escape(definition.Name))))
                {
                    throw new JsonSchemaNotSupportedException("/$defs", $"'$defs' names '{definition.Name}' twice");
                }
            }
        }

        foreach (var node in _nodes)
        {
            if (node.Kind == GrammarNodeKind.Ref)
            {
                if (node.RefName is null)
                {
                    node.Target = top;
                }
                else if (_defs.TryGetValue(node.RefName, out var target))
                {
                    node.Target = target;
                }
                else
                {
                    throw new JsonSchemaNotSupportedException(node.Pointer, $"'$ref' names a missing definition '{DefsPrefix}{node.RefName}'");
                }
            }
        }

        CheckLeftRecursion();
        foreach (var node in _nodes)
        {
            node.Items = node.Items is null ? null : Resolve(node.Items);
            for (int i = 0; i < node.Alternatives.Length; i++)
            {
                node.Alternatives[i] = Resolve(node.Alternatives[i]);
            }

            foreach (var property in node.Properties)
            {
                property.Node = Resolve(property.Node);
            }
        }

        foreach (var node in _nodes)
        {
            if (node.Kind != GrammarNodeKind.Ref)
            {
                node.ComputeFirstBytes();
            }
        }

        ComputeMinDepths();
        foreach (var node in _nodes)
        {
            if (node.Kind == GrammarNodeKind.Ref && Resolve(node).MinDepth >= GrammarNode.Unbounded)
            {
                throw new JsonSchemaNotSupportedException(node.Pointer, "'$ref' recursion admits no finite value");
            }
        }

        var resolved = Resolve(top);
        if (resolved.MinDepth > _maxDepth)
        {
            throw new JsonSchemaNotSupportedException(string.Empty, $"required properties nest deeper than {_maxDepth} levels");
        }

        return resolved;
    }

    private static GrammarNode Resolve(GrammarNode node)
    {
        while (node.Kind == GrammarNodeKind.Ref)
        {
            node = node.Target!;
        }

        return node;
    }

    private static string Escape(string name) => name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private static string Unescape(string name) => name.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);

    /// <summary>A JSON value as compact JSON bytes (non-ASCII as it is).</summary>
    internal static byte[] Serialize(JsonElement value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, CompactWriter))
        {
            value.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>What follows a key's opening quote: the escaped name, the closing quote and the colon.</summary>
    internal static byte[] KeyBytes(string name)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, CompactWriter))
        {
            writer.WriteStringValue(name);
        }

        var quoted = buffer.WrittenSpan;
        var key = new byte[quoted.Length];
        quoted[1..].CopyTo(key);
        key[^1] = (byte)':';
        return key;
    }

    private GrammarNode Add(GrammarNode node)
    {
        _nodes.Add(node);
        return node;
    }

    private GrammarNode Compile(JsonElement schema, string pointer)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            throw new JsonSchemaNotSupportedException(pointer, "a schema must be an object");
        }

        JsonElement? type = null, properties = null, required = null, additional = null, items = null, enumeration = null, constant = null, anyOf = null, reference = null;
        var structural = new List<string>();
        foreach (var keyword in schema.EnumerateObject())
        {
            switch (keyword.Name)
            {
                case "type": type = keyword.Value; break;
                case "properties": properties = keyword.Value; break;
                case "required": required = keyword.Value; break;
                case "additionalProperties": additional = keyword.Value; break;
                case "items": items = keyword.Value; break;
                case "enum": enumeration = keyword.Value; break;
                case "const": constant = keyword.Value; break;
                case "anyOf": anyOf = keyword.Value; break;
                case "$ref": reference = keyword.Value; break;
                case "description" or "title" or "strict" or "$schema":
                    continue;
                case "$defs" when pointer.Length == 0:
                    continue;
                case "$defs":
                    throw new JsonSchemaNotSupportedException(pointer, "'$defs' is only supported at the root");
                default:
                    throw new JsonSchemaNotSupportedException(pointer, $"'{keyword.Name}' is not supported");
            }

            structural.Add(keyword.Name);
        }

        if (reference is { } refValue)
        {
            RefuseSiblings(pointer, structural, "$ref");
            return CompileRef(refValue, pointer);
        }

        if (anyOf is { } alternatives)
        {
            RefuseSiblings(pointer, structural, "anyOf");
            if (alternatives.ValueKind != JsonValueKind.Array || alternatives.GetArrayLength() == 0)
            {
                throw new JsonSchemaNotSupportedException(pointer, "'anyOf' must be a non-empty array");
            }

            var node = Add(new GrammarNode(GrammarNodeKind.AnyOf, pointer));
            var compiled = new GrammarNode[alternatives.GetArrayLength()];
            int i = 0;
            foreach (var alternative in alternatives.EnumerateArray())
            {
                compiled[i] = Compile(alternative, $"{pointer}/anyOf/{i}");
                i++;
            }

            node.Alternatives = compiled;
            return node;
        }

        var types = ReadTypes(type, pointer);
        if (enumeration is not null || constant is not null)
        {
            return CompileLiterals(pointer, structural, types, enumeration, constant);
        }

        if (types is null)
        {
            throw new JsonSchemaNotSupportedException(pointer, "a schema needs 'type', 'enum', 'const', 'anyOf' or '$ref'");
        }

        foreach (var keyword in (ReadOnlySpan<string>)["properties", "required", "additionalProperties"])
        {
            if (structural.Contains(keyword) && !types.Contains("object"))
            {
                throw new JsonSchemaNotSupportedException(pointer, $"'{keyword}' needs 'type' 'object'");
            }
        }

        if (items is not null && !types.Contains("array"))
        {
            throw new JsonSchemaNotSupportedException(pointer, "'items' needs 'type' 'array'");
        }

        var nodesOfTypes = new GrammarNode[types.Count];
        for (int i = 0; i < types.Count; i++)
        {
            nodesOfTypes[i] = types[i] switch
            {
                "object" => CompileObject(pointer, properties, required, additional),
                "array" => CompileArray(pointer, items),
                "string" => Add(new GrammarNode(GrammarNodeKind.String, pointer)),
                "number" => Add(new GrammarNode(GrammarNodeKind.Number, pointer)),
                "integer" => Add(new GrammarNode(GrammarNodeKind.Integer, pointer)),
                "boolean" => Add(new GrammarNode(GrammarNodeKind.Literals, pointer) { Literals = [GrammarNode.True, GrammarNode.False] }),
                _ => Add(new GrammarNode(GrammarNodeKind.Literals, pointer) { Literals = [GrammarNode.Null] }),
            };
        }

        return nodesOfTypes.Length == 1 ? nodesOfTypes[0] : Add(new GrammarNode(GrammarNodeKind.AnyOf, pointer) { Alternatives = nodesOfTypes });
    }

    private static void RefuseSiblings(string pointer, List<string> structural, string keyword)
    {
        foreach (var other in structural)
        {
            if (other != keyword)
            {
                throw new JsonSchemaNotSupportedException(pointer, $"'{other}' next to '{keyword}' is not supported");
            }
        }
    }

    private static List<string>? ReadTypes(JsonElement? type, string pointer)
    {
        if (type is not { } value)
        {
            return null;
        }

        var types = new List<string>();
        if (value.ValueKind == JsonValueKind.String)
        {
            types.Add(value.GetString()!);
        }
        else if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0)
        {
            foreach (var name in value.EnumerateArray())
            {
                if (name.ValueKind != JsonValueKind.String)
                {
                    throw new JsonSchemaNotSupportedException(pointer, "'type' must be a name or a non-empty array of names");
                }

                if (types.Contains(name.GetString()!))
                {
                    throw new JsonSchemaNotSupportedException(pointer, $"'type' names '{name.GetString()}' twice");
                }

                types.Add(name.GetString()!);
            }
        }
        else
        {
            throw new JsonSchemaNotSupportedException(pointer, "'type' must be a name or a non-empty array of names");
        }

        foreach (var name in types)
        {
            if (name is not ("object" or "array" or "string" or "number" or "integer" or "boolean" or "null"))
            {
                throw new JsonSchemaNotSupportedException(pointer, $"'type' '{name}' is not supported");
            }
        }

        return types;
    }

    private GrammarNode CompileRef(JsonElement value, string pointer)
    {
        string? target = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        string? name;
        if (target == "#")
        {
            name = null;
        }
        else if (target is not null && target.StartsWith(DefsPrefix, StringComparison.Ordinal) && target.Length > DefsPrefix.Length
            && target.IndexOf('/', DefsPrefix.Length) < 0)
        {
            name = Unescape(target[DefsPrefix.Length..]);
        }
        else
        {
            throw new JsonSchemaNotSupportedException(pointer, "'$ref' must be '#' or '#/$defs/<name>'");
        }

        return Add(new GrammarNode(GrammarNodeKind.Ref, pointer) { RefName = name });
    }

    private GrammarNode CompileLiterals(string pointer, List<string> structural, List<string>? types, JsonElement? enumeration, JsonElement? constant)
    {
        foreach (var keyword in structural)
        {
            if (keyword is not ("type" or "enum" or "const"))
            {
                throw new JsonSchemaNotSupportedException(pointer, $"'{keyword}' next to '{(enumeration is null ? "const" : "enum")}' is not supported");
            }
        }

        if (enumeration is not null && constant is not null)
        {
            throw new JsonSchemaNotSupportedException(pointer, "'const' next to 'enum' is not supported");
        }

        string keywordName = enumeration is null ? "const" : "enum";
        var values = new List<JsonElement>();
        if (enumeration is { } list)
        {
            if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
            {
                throw new JsonSchemaNotSupportedException(pointer, "'enum' must be a non-empty array");
            }

            values.AddRange(list.EnumerateArray());
        }
        else
        {
            values.Add(constant!.Value);
        }

        var literals = new List<byte[]>();
        foreach (var value in values)
        {
            if (types is not null && !HasType(value, types))
            {
                continue;
            }

            var bytes = Serialize(value);
            bool seen = false;
            foreach (var literal in literals)
            {
                seen |= literal.AsSpan().SequenceEqual(bytes);
            }

            if (!seen)
            {
                literals.Add(bytes);
            }
        }

        if (literals.Count == 0)
        {
            throw new JsonSchemaNotSupportedException(pointer, $"'{keywordName}' has no value of the given 'type'");
        }

        return Add(new GrammarNode(GrammarNodeKind.Literals, pointer) { Literals = [.. literals] });
    }

    private static bool HasType(JsonElement value, List<string> types)
    {
        foreach (var type in types)
        {
            bool match = type switch
            {
                "object" => value.ValueKind == JsonValueKind.Object,
                "array" => value.ValueKind == JsonValueKind.Array,
                "string" => value.ValueKind == JsonValueKind.String,
                "number" => value.ValueKind == JsonValueKind.Number,
                "integer" => value.ValueKind == JsonValueKind.Number && value.GetRawText().AsSpan().IndexOfAny('.', 'e', 'E') < 0,
                "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
                _ => value.ValueKind == JsonValueKind.Null,
            };
            if (match)
            {
                return true;
            }
        }

        return false;
    }

    private GrammarNode CompileObject(string pointer, JsonElement? properties, JsonElement? required, JsonElement? additional)
    {
        if (additional is { } extra && extra.ValueKind != JsonValueKind.False)
        {
            throw new JsonSchemaNotSupportedException(pointer, "'additionalProperties' must be false");
        }

        var node = Add(new GrammarNode(GrammarNodeKind.Object, pointer));
        var list = new List<GrammarProperty>();
        if (properties is { } map)
        {
            if (map.ValueKind != JsonValueKind.Object)
            {
                throw new JsonSchemaNotSupportedException(pointer, "'properties' must be an object");
            }

            foreach (var property in map.EnumerateObject())
            {
                foreach (var other in list)
                {
                    if (other.Name == property.Name)
                    {
                        throw new JsonSchemaNotSupportedException(pointer, $"'properties' names '{property.Name}' twice");
                    }
                }

                var value = Compile(property.Value, $"{pointer}/properties/{Escape(property.Name)}");
                list.Add(new GrammarProperty(property.Name, KeyBytes(property.Name), value, false));
            }
        }

        if (required is { } names)
        {
            if (names.ValueKind != JsonValueKind.Array)
            {
                throw new JsonSchemaNotSupportedException(pointer, "'required' must be an array of names");
            }

            foreach (var name in names.EnumerateArray())
            {
                if (name.ValueKind != JsonValueKind.String)
                {
                    throw new JsonSchemaNotSupportedException(pointer, "'required' must be an array of names");
                }

                int index = list.FindIndex(p => p.Name == name.GetString());
                if (index < 0)
                {
                    throw new JsonSchemaNotSupportedException(pointer, $"'required' names '{name.GetString()}', which is not in 'properties'");
                }

                list[index] = list[index] with { Required = true };
                node.LastRequired = Math.Max(node.LastRequired, index);
            }
        }

        node.Properties = [.. list];
        return node;
    }

    private GrammarNode CompileArray(string pointer, JsonElement? items)
    {
        if (items is not { } schema)
        {
            throw new JsonSchemaNotSupportedException(pointer, "'type' 'array' needs 'items'");
        }

        var node = Add(new GrammarNode(GrammarNodeKind.Array, pointer));
        node.Items = Compile(schema, pointer + "/items");
        return node;
    }

    /// <summary>Refuses a cycle of <c>$ref</c>s and <c>anyOf</c>s that opens no container: it would never consume a byte.</summary>
    private void CheckLeftRecursion()
    {
        var state = new Dictionary<GrammarNode, int>(ReferenceEqualityComparer.Instance);
        foreach (var node in _nodes)
        {
            Visit(node);
        }

        void Visit(GrammarNode node)
        {
            if (state.TryGetValue(node, out int seen))
            {
                if (seen == 1)
                {
                    throw new JsonSchemaNotSupportedException(node.Pointer, "'$ref' recursion must pass through an object or an array");
                }

                return;
            }

            state[node] = 1;
            if (node.Kind == GrammarNodeKind.Ref)
            {
                Visit(node.Target!);
            }
            else if (node.Kind == GrammarNodeKind.AnyOf)
            {
                foreach (var alternative in node.Alternatives)
                {
                    Visit(alternative);
                }
            }

            state[node] = 2;
        }
    }

    /// <summary>The fewest containers each node's shortest value opens: a fixpoint from "unbounded" down.</summary>
    private void ComputeMinDepths()
    {
        foreach (var node in _nodes)
        {
            node.MinDepth = GrammarNode.Unbounded;
        }

        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach (var node in _nodes)
            {
                int depth = node.Kind switch
                {
                    GrammarNodeKind.Object => ObjectDepth(node),
                    GrammarNodeKind.Array => 1,
                    GrammarNodeKind.AnyOf => AnyOfDepth(node),
                    GrammarNodeKind.Ref => GrammarNode.Unbounded,
                    _ => 0,
                };
                if (depth < node.MinDepth)
                {
                    node.MinDepth = depth;
                    changed = true;
                }
            }
        }

        static int ObjectDepth(GrammarNode node)
        {
            int deepest = 0;
            foreach (var property in node.Properties)
            {
                if (property.Required)
                {
                    deepest = Math.Max(deepest, property.Node.MinDepth);
                }
            }

            return deepest >= GrammarNode.Unbounded ? GrammarNode.Unbounded : deepest + 1;
        }

        static int AnyOfDepth(GrammarNode node)
        {
            int shallowest = GrammarNode.Unbounded;
            foreach (var alternative in node.Alternatives)
            {
                shallowest = Math.Min(shallowest, alternative.MinDepth);
            }

            return shallowest;
        }
    }
}
