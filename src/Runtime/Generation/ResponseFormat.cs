using System.Text.Json;

namespace Ember.Runtime.Generation;

/// <summary>Structured output: the shape the generated text must have, enforced token by token (constrained decoding).</summary>
/// <param name="Kind">Text, a JSON object, or a value of <paramref name="Schema"/>.</param>
/// <param name="Schema">The JSON Schema, for <see cref="ResponseFormatKind.JsonSchema"/> (a detached element).</param>
public sealed record ResponseFormat(ResponseFormatKind Kind, JsonElement? Schema = null);
