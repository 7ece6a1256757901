using System.Text.Json;

namespace Ember.Host.Validation;

/// <summary>
/// OpenAI request fields whose meaning Ember does not honour (tools, structured output, logit bias, echo, best-of,
/// suffix). Each is accepted with a value that asks for nothing, since many clients send the
/// defaults on every call, and refused (5006, naming the field and what it accepts) with any other value, so a
/// client never gets an answer that silently ignored what it asked for.
/// </summary>
/// <remarks>Stateless and thread-safe. Fields not listed here and not parsed are ignored (<c>user</c>, <c>metadata</c>, <c>store</c>, …).</remarks>
public static class OpenAiUnsupportedFields
{
    private static readonly Field[] Chat =
    [
        new("tools", "must be empty or null: tool calls are not supported", IsEmptyArray),
        new("functions", "must be empty or null: function calls are not supported", IsEmptyArray),
        new("tool_choice", "must be \"none\", \"auto\" or null: tool calls are not supported", IsNoneOrAuto),
        new("function_call", "must be \"none\", \"auto\" or null: function calls are not supported", IsNoneOrAuto),
        new("response_format", "must be {\"type\":\"text\"} or null: structured output is not supported", IsTextFormat),
        new("logit_bias", "must be empty or null: logit bias is not supported", IsEmptyObject),
    ];

    private static readonly Field[] Completion =
    [
        new("echo", "must be false or null: echo is not supported", IsFalse),
        new("best_of", "must be 1 or null: best_of is not supported", static value => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long n) && n == 1),
        new("suffix", "must be empty or null: suffix is not supported", static value => value.ValueKind == JsonValueKind.String && value.ValueEquals(string.Empty)),
        new("logit_bias", "must be empty or null: logit bias is not supported", IsEmptyObject),
    ];

    /// <summary>Fails <paramref name="fields"/> on the first listed field that asks for something.</summary>
    /// <param name="root">The request body.</param>
    /// <param name="fields">Collects the error.</param>
    /// <param name="chat">Whether the body is a <c>chat/completions</c> one (else <c>completions</c>).</param>
    public static void Check(JsonElement root, JsonFields fields, bool chat)
    {
        ArgumentNullException.ThrowIfNull(fields);
        foreach (Field field in chat ? Chat : Completion)
        {
            if (JsonFields.TryGet(root, field.Name, out JsonElement value) && !field.AsksNothing(value))
            {
                fields.Fail(field.Name, field.Rule);
            }
        }
    }

    private static bool IsFalse(JsonElement value) => value.ValueKind == JsonValueKind.False;

    private static bool IsEmptyArray(JsonElement value) => value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 0;

    private static bool IsEmptyObject(JsonElement value) => value.ValueKind == JsonValueKind.Object && !value.EnumerateObject().Any();

    private static bool IsNoneOrAuto(JsonElement value) => value.ValueKind == JsonValueKind.String && (value.ValueEquals("none") || value.ValueEquals("auto"));

    private static bool IsTextFormat(JsonElement value) =>
        value.ValueKind == JsonValueKind.Object
        && JsonFields.TryGet(value, "type", out JsonElement type)
        && type.ValueKind == JsonValueKind.String
        && type.ValueEquals("text");

    private readonly record struct Field(string Name, string Rule, Func<JsonElement, bool> AsksNothing);
}
