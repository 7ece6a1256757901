using Ember.Runtime.Generation;

namespace Ember.Runtime.Structured;

/// <summary>The constraint of a request's <see cref="ResponseFormat"/>: any JSON object, or a value of its schema.</summary>
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
}
