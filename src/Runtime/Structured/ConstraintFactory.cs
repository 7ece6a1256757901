using Ember.Models.Chat;
using Ember.Runtime.Generation;

namespace Ember.Runtime.Structured;

/// <summary>The constraint of a request's <see cref="ResponseFormat"/> (any JSON object, or a value of its schema), or of its tool calls.</summary>
internal static class ConstraintFactory
{
    /// <summary>Builds the constraint.</summary>
    /// <exception cref="AiTextGenerationException"><see cref="AiErrorKind.BadInput"/>: the schema uses what the subset lacks, or is malformed.</exception>
    public static IJsonConstraint Create(ResponseFormat format)
    {
        ArgumentNullException.ThrowIfNull(format);
        try
        {
            return format.Kind switch
            {
                ResponseFormatKind.JsonObject => JsonGrammar.ForAnyValue(requireObject: true),
                ResponseFormatKind.JsonSchema when format.Schema is { } schema => JsonSchemaCompiler.Compile(schema),
                _ => throw new AiTextGenerationException(AiErrorKind.BadInput, "response_format: json_schema needs a schema"),
            };
        }
        catch (JsonSchemaNotSupportedException e)
        {
            throw new AiTextGenerationException(AiErrorKind.BadInput, "response_format.json_schema: " + e.Message, e);
        }
    }

    /// <summary>Builds the constraint of an answer that calls <paramref name="tools"/> (<see cref="ToolCallConstraint"/>).</summary>
    /// <param name="tools">The request's tools, checked (names unique and well formed).</param>
    /// <param name="choice">Auto, required or a named tool (not none).</param>
    /// <param name="parallel">Whether an answer may hold several calls.</param>
    /// <returns>The constraint.</returns>
    /// <exception cref="AiTextGenerationException"><see cref="AiErrorKind.BadInput"/>: a tool's parameters use what the subset lacks, naming the tool and keyword.</exception>
    public static IJsonConstraint CreateForTools(IReadOnlyList<ChatTool> tools, ToolChoice choice, bool parallel)
    {
        ArgumentNullException.ThrowIfNull(choice);
        try
        {
            var calls = ToolCallGrammar.Compile(tools, choice.Mode == ToolChoiceMode.Function ? choice.FunctionName : null, parallel);
            return new ToolCallConstraint(calls, optional: choice.Mode == ToolChoiceMode.Auto);
        }
        catch (JsonSchemaNotSupportedException e)
        {
            throw new AiTextGenerationException(AiErrorKind.BadInput, ToolsField(e.Pointer) + ": " + e.Reason, e);
        }
    }

    /// <summary>The request field a pointer into the tools names: <c>/tools/1/parameters/properties/x</c> is <c>tools[1].function.parameters</c> (and where in it).</summary>
    private static string ToolsField(string pointer)
    {
        var parts = pointer.Split('/', 4, StringSplitOptions.None);
        if (parts.Length < 3 || parts[1] != "tools")
        {
            return "tools";
        }

        var field = $"tools[{parts[2]}].function.parameters";
        return parts.Length == 4 && parts[3].Length > "parameters".Length ? field + " (schema " + parts[3]["parameters".Length..] + ")" : field;
    }
}
