using System.Globalization;
using System.Text.Json;
using Ember.Host.Errors;
using Ember.Models.Catalog;
using Ember.Models.Chat;
using Ember.Runtime.Generation;

namespace Ember.Host.Validation;

/// <summary>
/// Checks a Workers AI text-generation body against the task's schema and the model's limits and turns it
/// into a <see cref="TextGenerationRequest"/>; every failure is 5006 naming the field and the rule.
/// </summary>
/// <remarks>
/// <para>
/// Fields: exactly one of <c>prompt</c> (1 to 131072 characters) and <c>messages</c> (a non-empty array of
/// <c>{role, content}</c>, roles <c>system</c>, <c>user</c>, <c>assistant</c>, content at most 131072 characters);
/// <c>stream</c>, <c>raw</c> (booleans); <c>max_tokens</c> (1 to the model's sequence limit); <c>temperature</c>
/// (0–5); <c>top_p</c> (0–2); <c>top_k</c> (1–50); <c>seed</c> (1–9999999999); <c>repetition_penalty</c>,
/// <c>frequency_penalty</c>, <c>presence_penalty</c> (0–2; the last two are applied by the continuous scheduler
/// and refused by the wave scheduler); <c>options.rejectIfBusy</c> (boolean). Unknown fields are ignored.
/// </para>
/// <para>Stateless and thread-safe.</para>
/// </remarks>
public static class RunRequestParser
{
    /// <summary>The most a seed may be.</summary>
    public const long MaxSeed = 9_999_999_999;

    /// <summary>Parses a run body.</summary>
    /// <param name="root">The parsed body.</param>
    /// <param name="limits">The model's limits as served; its sequence limit is the <c>max_tokens</c> ceiling.</param>
    /// <returns>The request, or a 5006 error.</returns>
    public static Parsed<TextGenerationRequest> Parse(JsonElement root, ModelLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (root.ValueKind != JsonValueKind.Object)
        {
            return ErrorMapping.InvalidInput("body", "must be a JSON object");
        }

        var fields = new JsonFields();
        bool hasPrompt = JsonFields.TryGet(root, "prompt", out _);
        bool hasMessages = JsonFields.TryGet(root, "messages", out JsonElement messagesElement);
        if (hasPrompt == hasMessages)
        {
            return hasPrompt
                ? ErrorMapping.InvalidInput("body", "must have exactly one of prompt and messages, not both")
                : ErrorMapping.InvalidInput("prompt", "is required (or messages)");
        }

        string? prompt = hasPrompt ? fields.ReadString(root, "prompt", "prompt", 1, JsonFields.MaxTextLength) : null;
        IReadOnlyList<ChatMessage>? messages = hasMessages ? ParseMessages(messagesElement, fields, allowDeveloper: false, ParseStringContent) : null;
        bool stream = fields.ReadBoolean(root, "stream", "stream") ?? false;
        long? maxTokens = fields.ReadInteger(root, "max_tokens", "max_tokens", 1, limits.SequenceTokensLimit);
        bool raw = fields.ReadBoolean(root, "raw", "raw") ?? false;
        double? temperature = fields.ReadNumber(root, "temperature", "temperature", 0, 5);
        double? topP = fields.ReadNumber(root, "top_p", "top_p", 0, 2);
        long? topK = fields.ReadInteger(root, "top_k", "top_k", 1, 50);
        long? seed = fields.ReadInteger(root, "seed", "seed", 1, MaxSeed);
        double? repetitionPenalty = fields.ReadNumber(root, "repetition_penalty", "repetition_penalty", 0, 2);
        double? frequencyPenalty = fields.ReadNumber(root, "frequency_penalty", "frequency_penalty", 0, 2);
        double? presencePenalty = fields.ReadNumber(root, "presence_penalty", "presence_penalty", 0, 2);
        bool rejectIfBusy = false;
        if (fields.ReadObject(root, "options", "options") is JsonElement options)
        {
            rejectIfBusy = fields.ReadBoolean(options, "rejectIfBusy", "options.rejectIfBusy") ?? false;
        }

        if (fields.Error is not null)
        {
            return fields.Error;
        }

        return new Parsed<TextGenerationRequest>(new TextGenerationRequest
        {
            Prompt = prompt,
            Messages = messages,
            Stream = stream,
            MaxTokens = (int?)maxTokens,
            Raw = raw,
            Temperature = temperature,
            TopP = topP,
            TopK = (int?)topK,
            Seed = seed,
            RepetitionPenalty = repetitionPenalty,
            FrequencyPenalty = frequencyPenalty,
            PresencePenalty = presencePenalty,
            RejectIfBusy = rejectIfBusy,
        });
    }

    /// <summary>
    /// Parses a <c>messages</c> array of <c>{role, content}</c> objects; <paramref name="parseContent"/> reads one
    /// message's content (given the message and the content's path). Shared by the Workers AI and OpenAI parsers.
    /// </summary>
    internal static List<ChatMessage>? ParseMessages(JsonElement array, JsonFields fields, bool allowDeveloper, Func<JsonElement, string, JsonFields, string?> parseContent)
    {
        if (array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
        {
            fields.Fail("messages", "must be a non-empty array of {role, content} objects");
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
                fields.Fail(path, "must be an object with role and content");
                return null;
            }

            ChatRole? role = ParseRole(item, path, fields, allowDeveloper);
            string? content = parseContent(item, path + ".content", fields);
            if (role is null || content is null)
            {
                return null;
            }

            messages.Add(new ChatMessage(role.Value, content));
        }

        return messages;
    }

    /// <summary>Reads a Workers AI message's content: a required string.</summary>
    private static string? ParseStringContent(JsonElement item, string path, JsonFields fields)
    {
        if (!JsonFields.TryGet(item, "content", out JsonElement contentElement))
        {
            fields.Fail(path, "is required");
            return null;
        }

        return fields.CheckString(contentElement, path, 0, JsonFields.MaxTextLength);
    }

    /// <summary>Reads and checks a message's <c>role</c>.</summary>
    /// <param name="item">The message object.</param>
    /// <param name="path">The message's path.</param>
    /// <param name="fields">Collects the failure.</param>
    /// <param name="allowDeveloper">Whether OpenAI's <c>developer</c> role is taken as <c>system</c>.</param>
    /// <returns>The role, or <see langword="null"/> when missing or unknown.</returns>
    internal static ChatRole? ParseRole(JsonElement item, string path, JsonFields fields, bool allowDeveloper)
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

            if (allowDeveloper && name == "developer")
            {
                return ChatRole.System;
            }
        }

        fields.Fail(path + ".role", allowDeveloper
            ? "must be one of \"system\", \"developer\", \"user\", \"assistant\""
            : "must be one of \"system\", \"user\", \"assistant\"");
        return null;
    }
}
