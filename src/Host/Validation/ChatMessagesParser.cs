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
            string? content = openAi ? ParseOpenAiContent(item, path + ".content", fields) : ParseStringContent(item, path + ".content", fields);
            if (role is null || content is null)
            {
                return null;
            }

            messages.Add(new ChatMessage(role.Value, content));
        }

        return messages;
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
            ? "must be one of \"system\", \"developer\", \"user\", \"assistant\""
            : "must be one of \"system\", \"user\", \"assistant\"");
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

    private static string? ParseOpenAiContent(JsonElement item, string path, JsonFields fields)
    {
        if (!item.TryGetProperty("content", out JsonElement content))
        {
            fields.Fail(path, "is required");
            return null;
        }

        switch (content.ValueKind)
        {
            case JsonValueKind.Null:
                return string.Empty;
            case JsonValueKind.Array:
                return JoinTextParts(content, path, fields);
            default:
                return fields.CheckString(content, path, 0, RequestFields.MaxTextLength);
        }
    }

    private static string? JoinTextParts(JsonElement parts, string path, JsonFields fields)
    {
        var text = new StringBuilder();
        int index = 0;
        foreach (JsonElement part in parts.EnumerateArray())
        {
            string partPath = string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]");
            index++;
            if (part.ValueKind != JsonValueKind.Object
                || !part.TryGetProperty("type", out JsonElement type)
                || type.ValueKind != JsonValueKind.String
                || !type.ValueEquals("text"))
            {
                fields.Fail(partPath + ".type", "must be \"text\" (only text parts are supported)");
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
