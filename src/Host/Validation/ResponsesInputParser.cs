using System.Globalization;
using System.Text.Json;
using Ember.Models.Chat;
using Ember.Runtime.Generation;

namespace Ember.Host.Validation;

/// <summary>
/// Parses the Responses API's <c>input</c> (and <c>instructions</c>) into a conversation, recording the first failure
/// (naming the field, such as <c>input[2].call_id</c>) in a <see cref="JsonFields"/>.
/// </summary>
/// <remarks>
/// <para>
/// <c>input</c> is a string (one user message) or an array of items: messages (<c>{"role","content"}</c>, with or
/// without <c>"type":"message"</c>; roles <c>system</c>, <c>developer</c> (as system), <c>user</c>, <c>assistant</c>;
/// content a string or <c>input_text</c>/<c>output_text</c> parts), <c>function_call</c> items
/// (<c>{call_id, name, arguments}</c>; consecutive ones, and an assistant message just before them, make one assistant
/// turn) and <c>function_call_output</c> items (<c>{call_id, output}</c>, answering an earlier call). Other items and
/// parts are refused. <c>instructions</c> is a system message before the input.
/// </para>
/// <para>Stateless and thread-safe.</para>
/// </remarks>
public static class ResponsesInputParser
{
    /// <summary>Parses the conversation.</summary>
    /// <param name="root">The body.</param>
    /// <param name="fields">Collects the failure.</param>
    /// <returns>The messages, or <see langword="null"/> after a failure.</returns>
    public static IReadOnlyList<ChatMessage>? Parse(JsonElement root, JsonFields fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var messages = new List<ChatMessage>();
        if (JsonFields.TryGet(root, "instructions", out JsonElement instructions)
            && fields.CheckString(instructions, "instructions", 0, RequestFields.MaxTextLength) is { Length: > 0 } system)
        {
            messages.Add(new ChatMessage(ChatRole.System, system));
        }

        if (!JsonFields.TryGet(root, "input", out JsonElement input))
        {
            fields.Fail("input", "is required: a string or an array of input items");
            return null;
        }

        if (input.ValueKind == JsonValueKind.String)
        {
            return fields.CheckString(input, "input", 1, RequestFields.MaxTextLength) is { } text ? [.. messages, new ChatMessage(ChatRole.User, text)] : null;
        }

        if (input.ValueKind != JsonValueKind.Array || input.GetArrayLength() == 0)
        {
            fields.Fail("input", "must be a string or a non-empty array of input items");
            return null;
        }

        var calls = new HashSet<string>(StringComparer.Ordinal);
        int index = 0;
        foreach (JsonElement item in input.EnumerateArray())
        {
            string path = string.Create(CultureInfo.InvariantCulture, $"input[{index++}]");
            if (!AddItem(item, path, messages, calls, fields))
            {
                return null;
            }
        }

        return messages;
    }

    private static bool AddItem(JsonElement item, string path, List<ChatMessage> messages, HashSet<string> calls, JsonFields fields)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            fields.Fail(path, "must be an object");
            return false;
        }

        string? type = JsonFields.TryGet(item, "type", out JsonElement typeElement) && JsonFields.TryGetText(typeElement, out string? text) ? text : null;
        switch (type)
        {
            case null or "message":
                return AddMessage(item, path, messages, fields);
            case "function_call":
                return AddCall(item, path, messages, calls, fields);
            case "function_call_output":
                return AddOutput(item, path, messages, calls, fields);
            default:
                fields.Fail(path + ".type", "must be \"message\", \"function_call\" or \"function_call_output\"");
                return false;
        }
    }

    private static bool AddMessage(JsonElement item, string path, List<ChatMessage> messages, JsonFields fields)
    {
        ChatRole? role = JsonFields.TryGet(item, "role", out JsonElement roleElement) && JsonFields.TryGetText(roleElement, out string? name)
            ? name switch
            {
                "system" or "developer" => ChatRole.System,
                "user" => ChatRole.User,
                "assistant" => ChatRole.Assistant,
                _ => null,
            }
            : null;
        if (role is null)
        {
            fields.Fail(path + ".role", "must be one of \"system\", \"developer\", \"user\", \"assistant\"");
            return false;
        }

        if (Content(item, path + ".content", fields) is not { } content)
        {
            return false;
        }

        messages.Add(new ChatMessage(role.Value, content));
        return true;
    }

    private static bool AddCall(JsonElement item, string path, List<ChatMessage> messages, HashSet<string> calls, JsonFields fields)
    {
        if (RequiredText(item, "call_id", path, fields) is not { } id
            || RequiredText(item, "name", path, fields) is not { } name
            || RequiredText(item, "arguments", path, fields) is not { } arguments)
        {
            return false;
        }

        if (!ChatMessagesParser.IsJsonObject(arguments))
        {
            fields.Fail(path + ".arguments", "must be the JSON text of an object");
            return false;
        }

        calls.Add(id);
        var call = new ChatToolCall(id, name, arguments);
        if (messages.Count > 0 && messages[^1] is { Role: ChatRole.Assistant } last)
        {
            messages[^1] = last with { ToolCalls = [.. last.ToolCalls ?? [], call] };
        }
        else
        {
            messages.Add(new ChatMessage(ChatRole.Assistant, string.Empty) { ToolCalls = [call] });
        }

        return true;
    }

    private static bool AddOutput(JsonElement item, string path, List<ChatMessage> messages, HashSet<string> calls, JsonFields fields)
    {
        if (RequiredText(item, "call_id", path, fields) is not { } id)
        {
            return false;
        }

        if (!calls.Contains(id))
        {
            fields.Fail(path + ".call_id", $"names '{id}', which is no earlier function_call item");
            return false;
        }

        if (!JsonFields.TryGet(item, "output", out _))
        {
            fields.Fail(path + ".output", "is required");
            return false;
        }

        if (Content(item, path + ".output", fields, "output") is not { } output)
        {
            return false;
        }

        messages.Add(new ChatMessage(ChatRole.Tool, output) { ToolCallId = id });
        return true;
    }

    private static string? RequiredText(JsonElement item, string name, string path, JsonFields fields)
    {
        if (JsonFields.TryGet(item, name, out JsonElement value) && fields.CheckString(value, path + "." + name, 0, RequestFields.MaxTextLength) is { } text)
        {
            return text;
        }

        fields.Fail(path + "." + name, "is required: a string");
        return null;
    }

    // A string, or parts of input_text/output_text joined.
    private static string? Content(JsonElement item, string path, JsonFields fields, string name = "content")
    {
        if (!JsonFields.TryGet(item, name, out JsonElement content))
        {
            fields.Fail(path, "is required");
            return null;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return fields.CheckString(content, path, 0, RequestFields.MaxTextLength);
        }

        return ChatMessagesParser.JoinTextParts(content, path, fields, ["input_text", "output_text"]);
    }
}
