using System.Text.Json;
using Ember.Runtime.Generation;

namespace Ember.Host.Validation;

/// <summary>
/// OpenAI request fields that would change what the answer holds, which Ember does not do: the deprecated functions
/// and function_call (tools are supported), logit bias, audio and other modalities, web search; for completions echo,
/// best-of and suffix; for responses a previous response or conversation, background and stored prompts. Each is
/// accepted with a value that asks for nothing, since many clients send the defaults on every call,
/// and refused (5006, naming the field and what it accepts) with any other value, so the answer never silently
/// lacks what was asked for.
/// </summary>
/// <remarks>
/// Stateless and thread-safe. Other fields not parsed are ignored: bookkeeping (<c>user</c>, <c>metadata</c>,
/// <c>store</c>), and hints that do not change the answer (<c>prediction</c>, <c>service_tier</c>).
/// </remarks>
public static class OpenAiUnsupportedFields
{
    private static readonly Field[] Chat =
    [
        new("functions", "must be empty or null: the deprecated functions are not supported; use tools", IsEmptyArray),
        new("function_call", "must be \"none\", \"auto\" or null: the deprecated function_call is not supported; use tool_choice", IsNoneOrAuto),
        new("logit_bias", "must be empty or null: logit bias is not supported", IsEmptyObject),
        new("modalities", "must be [\"text\"] or null: only text output is supported", IsTextOnly),
        new("audio", "must be null: audio output is not supported", static _ => false),
        new("web_search_options", "must be null: web search is not supported", static _ => false),
    ];

    private static readonly Field[] Completion =
    [
        new("echo", "must be false or null: echo is not supported", IsFalse),
        new("best_of", "must be 1 or null: best_of is not supported", static value => value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double n) && n == 1),
        new("suffix", "must be empty or null: suffix is not supported", static value => value.ValueKind == JsonValueKind.String && value.ValueEquals(string.Empty)),
        new("logit_bias", "must be empty or null: logit bias is not supported", IsEmptyObject),
    ];

    private static readonly Field[] Responses =
    [
        new("previous_response_id", "must be null: Ember's Responses API is stateless and keeps no responses; send the whole conversation in input", static _ => false),
        new("conversation", "must be null: Ember's Responses API is stateless and keeps no conversations; send the whole conversation in input", static _ => false),
        new("background", "must be false or null: background responses are not supported", IsFalse),
        new("prompt", "must be null: stored prompt templates are not supported", static _ => false),
    ];

    /// <summary>Fails <paramref name="fields"/> on the first field of a Responses API body that asks for what Ember does not do.</summary>
    /// <param name="root">The request body.</param>
    /// <param name="fields">Collects the error.</param>
    public static void CheckResponses(JsonElement root, JsonFields fields) => Check(root, fields, Responses);

    /// <summary>Fails <paramref name="fields"/> on the first listed field that asks for something.</summary>
    /// <param name="root">The request body.</param>
    /// <param name="fields">Collects the error.</param>
    /// <param name="api">The endpoint: <see cref="RequestApis.OpenAiChat"/> or <see cref="RequestApis.OpenAiCompletions"/>.</param>
    public static void Check(JsonElement root, JsonFields fields, RequestApis api)
    {
        Check(root, fields, api == RequestApis.OpenAiChat ? Chat : Completion);
    }

    private static void Check(JsonElement root, JsonFields fields, Field[] list)
    {
        ArgumentNullException.ThrowIfNull(fields);
        foreach (Field field in list)
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

    private static bool IsTextOnly(JsonElement value) =>
        value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 1 && value[0].ValueKind == JsonValueKind.String && value[0].ValueEquals("text");

    private static bool IsNoneOrAuto(JsonElement value) => value.ValueKind == JsonValueKind.String && (value.ValueEquals("none") || value.ValueEquals("auto"));

    private readonly record struct Field(string Name, string Rule, Func<JsonElement, bool> AsksNothing);
}
