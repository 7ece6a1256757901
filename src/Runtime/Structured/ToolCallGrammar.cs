using System.Text.Json;
using Ember.Models.Chat;

namespace Ember.Runtime.Structured;

/// <summary>
/// The grammar of the calls an answer writes after <see cref="ToolPrompt.CallsMarker"/>: a compact JSON array of one
/// or more (at most one without parallel calls) <c>{"name":…,"arguments":…}</c> objects, the name one of the tools
/// (or the one named) and the arguments valid for that tool's <c>parameters</c> in structured output's strict subset.
/// </summary>
internal static class ToolCallGrammar
{
    /// <summary>Containers around a tool's arguments: the array and the call object.</summary>
    private const int Wrapping = 2;

    /// <summary>Compiles the grammar.</summary>
    /// <param name="tools">The request's tools.</param>
    /// <param name="only">The one tool calls may name; <see langword="null"/>: any.</param>
    /// <param name="parallel">Whether the array may hold more than one call.</param>
    /// <param name="maxDepth">The bound on nested objects and arrays, the two around the arguments included.</param>
    /// <returns>The grammar.</returns>
    /// <exception cref="JsonSchemaNotSupportedException">A tool's <c>parameters</c> is outside the subset; the message names the tool's index.</exception>
    public static JsonGrammar Compile(IReadOnlyList<ChatTool> tools, string? only, bool parallel, int maxDepth = JsonGrammar.DefaultMaxDepth)
    {
        ArgumentNullException.ThrowIfNull(tools);
        var calls = new List<GrammarNode>();
        for (int i = 0; i < tools.Count; i++)
        {
            if (only is null || tools[i].Name == only)
            {
                calls.Add(Call(tools[i], i, maxDepth - Wrapping));
            }
        }

        if (calls.Count == 0)
        {
            throw new JsonSchemaNotSupportedException(string.Empty, $"no tool is named '{only}'");
        }

        var item = calls.Count == 1 ? calls[0] : Prepared(new GrammarNode(GrammarNodeKind.AnyOf, string.Empty) { Alternatives = [.. calls], MinDepth = calls.Min(call => call.MinDepth) });
        var array = Prepared(new GrammarNode(GrammarNodeKind.Array, string.Empty) { Items = item, MinItems = 1, MaxItems = parallel ? int.MaxValue : 1, MinDepth = 1 + item.MinDepth });
        return new JsonGrammar(array, maxDepth);
    }

    private static GrammarNode Call(ChatTool tool, int index, int maxDepth)
    {
        var pointer = $"/tools/{index}";
        GrammarNode arguments;
        try
        {
            arguments = tool.Parameters is { } parameters && !IsEmptySchema(parameters)
                ? new SchemaCompilation(parameters, maxDepth).Run()
                : Prepared(new GrammarNode(GrammarNodeKind.Object, string.Empty) { MinDepth = 1 });
        }
        catch (JsonSchemaNotSupportedException e)
        {
            throw new JsonSchemaNotSupportedException(pointer + "/parameters" + e.Pointer, e.Reason);
        }

        for (int b = 0; b < 256; b++)
        {
            if (arguments.FirstBytes[b] && b != '{')
            {
                throw new JsonSchemaNotSupportedException(pointer + "/parameters", "'parameters' must describe an object");
            }
        }

        // The name as a JSON string: the quote, then what follows a key's opening quote less its colon.
        byte[] key = SchemaCompilation.KeyBytes(tool.Name);
        var name = Prepared(new GrammarNode(GrammarNodeKind.Literals, pointer) { Literals = [[(byte)'"', .. key.AsSpan(0, key.Length - 1)]] });
        return Prepared(new GrammarNode(GrammarNodeKind.Object, pointer)
        {
            Properties =
            [
                new GrammarProperty("name", SchemaCompilation.KeyBytes("name"), name, true),
                new GrammarProperty("arguments", SchemaCompilation.KeyBytes("arguments"), arguments, true),
            ],
            LastRequired = 1,
            MinDepth = 1 + arguments.MinDepth,
        });
    }

    private static bool IsEmptySchema(JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object && !schema.EnumerateObject().Any(keyword => keyword.Name is not ("description" or "title" or "$schema"));

    private static GrammarNode Prepared(GrammarNode node)
    {
        node.ComputeFirstBytes();
        return node;
    }
}
