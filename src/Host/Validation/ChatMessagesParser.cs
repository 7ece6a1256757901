using System.Globalization;
using System.Text;
using System.Text.Json;
using Ember.Models.Chat;
using Ember.Runtime.Generation;

namespace Ember.Host.Validation;

/// <summary>
/// Parses a <c>messages</c> array of <c>{role, content}</c> objects for either API, recording the first failure in
/// a <see cref="JsonFields"/>.
/// </summary>
/// <remarks>
/// <para>
/// Workers AI: roles <c>system</c>, <c>user</c>, <c>assistant</c>; <c>content</c> a required string of at most
/// <see cref="RequestFields.MaxTextLength"/> characters. OpenAI adds its forms: <c>developer</c> is taken as
/// <c>system</c>, and <c>content</c> may be <c>null</c> (empty) or an array of <c>{"type":"text","text":…}</c> parts,
/// which are joined (at most <see cref="RequestFields.MaxTextLength"/> characters together).
/// </para>
/// <para>
/// Tools, on both: an assistant message may carry <c>tool_calls</c> (OpenAI's <c>{id, type, function:{name, arguments}}</c>
/// or Workers AI's <c>{name, arguments}</c>, arguments a JSON object or a string holding one) and then needs no
/// <c>content</c>; a <c>tool</c> message answers an earlier call by its <c>tool_call_id</c> (Workers AI: or by the
/// tool's <c>name</c>, the last call of it).
/// </para>
/// <para>Stateless and thread-safe.</para>
/// </remarks>
public static class ChatMessagesParser
{
    /// <summary>Parses the array.</summary>
    /// <param name="array">The <c>messages</c> value.</param>
    /// <param name="fields">Collects the failure.</param>
    /// <param name="openAi">Whether OpenAI's forms are accepted (the OpenAI endpoints), else only Workers AI's.</param>
    /// <returns>The messages, or <see langword="null"/> after a failure.</returns>
    public static IReadOnlyList<ChatMessage>? Parse(JsonElement array, JsonFields fields, bool openAi)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
        {
            fields.Fail("messages", RequestFields.MessagesRule);
            return null;
        }

        var messages = new List<ChatMessage>(array.GetArrayLength());
        int index = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            string path = string.Create(CultureInfo.InvariantCulture, $"messages[{index}]");
            index++;
            if (item.ValueKind != JsonValueKind.Object)
            {
                fields.Fail(path, RequestFields.MessageRule);
                return null;
            }

            ChatRole? role = ParseRole(item, path, fields, openAi);
            bool hasCalls = role == ChatRole.Assistant && JsonFields.TryGet(item, "tool_calls", out _);
            string? content = openAi || (hasCalls && !JsonFields.TryGet(item, "content", out _))
                ? ParseOpenAiContent(item, path + ".content", fields, optional: hasCalls)
                : ParseStringContent(item, path + ".content", fields);
            if (role is null || content is null)
            {
                return null;
            }

            var message = new ChatMessage(role.Value, content);
            if (hasCalls)
            {
                if (ParseCalls(item.GetProperty("tool_calls"), path + ".tool_calls", messages.Count, fields) is not { } calls)
                {
                    return null;
                }

                message = message with { ToolCalls = calls };
            }
            else if (role == ChatRole.Tool)
            {
                if (ParseAnsweredCall(item, path, messages, fields) is not { } id)
                {
                    return null;
                }

                message = message with { ToolCallId = id };
            }

            messages.Add(message);
        }

        return messages;
    }

    /// <summary>An assistant message's calls: OpenAI's <c>{id, type, function:{name, arguments}}</c> or Workers AI's <c>{name, arguments}</c> (arguments a JSON string or an object).</summary>
    private static List<ChatToolCall>? ParseCalls(JsonElement array, string path, int messageIndex, JsonFields fields)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            fields.Fail(path, "must be an array of calls");
            return null;
        }

        var calls = new List<ChatToolCall>();
        int index = 0;
        foreach (JsonElement call in array.EnumerateArray())
        {
            string callPath = string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]");
            JsonElement function = call.ValueKind == JsonValueKind.Object && JsonFields.TryGet(call, "function", out JsonElement inner) ? inner : call;
            string functionPath = call.ValueKind == JsonValueKind.Object && call.TryGetProperty("function", out _) ? callPath + ".function" : callPath;
            if (function.ValueKind != JsonValueKind.Object
                || !JsonFields.TryGet(function, "name", out JsonElement nameElement)
                || !JsonFields.TryGetText(nameElement, out string? name))
            {
                fields.Fail(functionPath + ".name", "is required: a call names its tool");
                return null;
            }

            string? arguments = null;
            if (JsonFields.TryGet(function, "arguments", out JsonElement argumentsElement))
            {
                arguments = argumentsElement.ValueKind == JsonValueKind.Object ? argumentsElement.GetRawText()
                    : JsonFields.TryGetText(argumentsElement, out string? text) && IsJsonObject(text) ? text : null;
            }

            if (arguments is null)
            {
                fields.Fail(functionPath + ".arguments", "must be a JSON object, or a string holding one");
                return null;
            }

            string id = JsonFields.TryGet(call, "id", out JsonElement idElement) && JsonFields.TryGetText(idElement, out string? given)
                ? given
                : string.Create(CultureInfo.InvariantCulture, $"{messageIndex}.{index}");
            calls.Add(new ChatToolCall(id, name, arguments));
            index++;
        }

        return calls;
    }

    /// <summary>The id of the earlier call a tool message answers: its <c>tool_call_id</c>, or (Workers AI) the last call of the tool its <c>name</c> names.</summary>
    private static string? ParseAnsweredCall(JsonElement item, string path, List<ChatMessage> earlier, JsonFields fields)
    {
        var calls = earlier.Where(message => message.ToolCalls is not null).SelectMany(message => message.ToolCalls!).ToList();
        if (JsonFields.TryGet(item, "tool_call_id", out JsonElement idElement) && JsonFields.TryGetText(idElement, out string? id))
        {
            if (calls.Any(call => call.Id == id))
            {
                return id;
            }

            fields.Fail(path + ".tool_call_id", $"names '{id}', which is no call of an earlier assistant message");
            return null;
        }

        if (JsonFields.TryGet(item, "name", out JsonElement nameElement) && JsonFields.TryGetText(nameElement, out string? name)
            && calls.LastOrDefault(call => call.Name == name) is { } named)
        {
            return named.Id;
        }

        fields.Fail(path + ".tool_call_id", "is required: a tool message answers a call of an earlier assistant message");
        return null;
    }

    /// <summary>Whether <paramref name="text"/> is the JSON text of an object (a call's arguments must be).</summary>
    /// <param name="text">The text.</param>
    /// <returns><see langword="true"/> for a JSON object.</returns>
    internal static bool IsJsonObject(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static ChatRole? ParseRole(JsonElement item, string path, JsonFields fields, bool openAi)
    {
        if (!JsonFields.TryGet(item, "role", out JsonElement roleElement))
        {
            fields.Fail(path + ".role", "is required");
            return null;
        }

        if (JsonFields.TryGetText(roleElement, out string? name))
        {
            if (ChatRoles.TryParse(name, out ChatRole role))
            {
                return role;
            }

            if (openAi && name == "developer")
            {
                return ChatRole.System;
            }
        }

        fields.Fail(path + ".role", openAi
            ? "must be one of \"system\", \"developer\", \"user\", \"assistant\", \"tool\""
            : "must be one of \"system\", \"user\", \"assistant\", \"tool\"");
        return null;
    }

    private static string? ParseStringContent(JsonElement item, string path, JsonFields fields)
    {
        if (!JsonFields.TryGet(item, "content", out JsonElement content))
        {
            fields.Fail(path, "is required");
            return null;
        }

        return fields.CheckString(content, path, 0, RequestFields.MaxTextLength);
    }

    private static string? ParseOpenAiContent(JsonElement item, string path, JsonFields fields, bool optional)
    {
        if (!item.TryGetProperty("content", out JsonElement content))
        {
            if (optional)
            {
                return string.Empty;
            }

            fields.Fail(path, "is required");
            return null;
        }

        switch (content.ValueKind)
        {
            case JsonValueKind.Null:
                return string.Empty;
            case JsonValueKind.Array:
                return JoinTextParts(content, path, fields, ["text"]);
            default:
                return fields.CheckString(content, path, 0, RequestFields.MaxTextLength);
        }
    }

    /// <summary>Joins an array of text parts (<c>{"type","text"}</c>, of the given types) into one text, within the text limit.</summary>
    /// <param name="parts">The array.</param>
    /// <param name="path">Its path, for messages.</param>
    /// <param name="fields">Collects the failure.</param>
    /// <param name="types">The part types taken as text: <c>text</c> on the chat API, <c>input_text</c> and <c>output_text</c> on the Responses API.</param>
    /// <returns>The text, or <see langword="null"/> after a failure.</returns>
    internal static string? JoinTextParts(JsonElement parts, string path, JsonFields fields, IReadOnlyList<string> types)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(types);
        var text = new StringBuilder();
        int index = 0;
        foreach (JsonElement part in parts.EnumerateArray())
        {
            string partPath = string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]");
            index++;
            if (part.ValueKind != JsonValueKind.Object
                || !part.TryGetProperty("type", out JsonElement type)
                || type.ValueKind != JsonValueKind.String
                || !types.Any(name => type.ValueEquals(name)))
            {
                fields.Fail(partPath + ".type", "must be " + string.Join(" or ", types.Select(name => "\"" + name + "\"")) + " (only text parts are supported)");
                return null;
            }

            if (!JsonFields.TryGet(part, "text", out JsonElement partText)
                || fields.CheckString(partText, partPath + ".text", 0, RequestFields.MaxTextLength) is not string piece)
            {
                fields.Fail(partPath + ".text", "must be a string");
                return null;
            }

            text.Append(piece);
        }

        if (text.Length > RequestFields.MaxTextLength)
        {
            fields.Fail(path, RequestFields.TextRule(0));
            return null;
        }

        return text.ToString();
    }
}
