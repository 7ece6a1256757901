using System.Globalization;
using System.Text;
using System.Text.Json;
using Ember.Host.Catalog;
using Ember.Host.Errors;
using Ember.Models.Catalog;
using Ember.Models.Chat;
using Ember.Runtime.Generation;

namespace Ember.Host.Validation;

/// <summary>
/// Checks OpenAI-compatible <c>chat/completions</c> and <c>completions</c> bodies and turns them into runtime
/// requests; failures are 5006 naming the field (or 5007 for an unknown <c>model</c>).
/// </summary>
/// <remarks>
/// <para>
/// Shared fields: <c>model</c> (required, a catalog id), <c>max_tokens</c> or <c>max_completion_tokens</c>
/// (1 to the model's sequence limit; absent: the model's default, not OpenAI's 16), <c>temperature</c> (0–5),
/// <c>top_p</c> (0–2), <c>top_k</c> (1–50, an extension), <c>seed</c> (1–9999999999), <c>stop</c> (a string or up
/// to 4 non-empty strings), <c>stream</c>, <c>stream_options.include_usage</c>, <c>n</c> (1 only),
/// <c>frequency_penalty</c> and <c>presence_penalty</c> (−2 to 2; applied by the continuous scheduler); log probabilities
/// (chat: <c>logprobs</c> true and <c>top_logprobs</c> 0–20; completions: <c>logprobs</c> 0–5). Fields asking for
/// what Ember does not do (tools, structured output, …) are refused unless they ask for nothing
/// (<see cref="OpenAiUnsupportedFields"/>); other unknown fields are ignored.
/// </para>
/// <para>
/// Chat: <c>messages</c> as in Workers AI, plus OpenAI's forms: <c>developer</c> is taken as <c>system</c>, and
/// <c>content</c> may be <c>null</c> or an array of <c>{"type":"text","text":…}</c> parts, which are joined.
/// Completions: <c>prompt</c> is a string or an array of one string, sent raw (no chat template).
/// </para>
/// <para>Stateless and thread-safe.</para>
/// </remarks>
public static class OpenAiRequestParser
{
    /// <summary>The most stop strings accepted.</summary>
    public const int MaxStopStrings = 4;

    /// <summary>The most alternatives the completions endpoint's integer <c>logprobs</c> may ask for (OpenAI's limit).</summary>
    public const int MaxCompletionLogprobs = 5;

    /// <summary>Parses a <c>chat/completions</c> body.</summary>
    /// <param name="root">The parsed body.</param>
    /// <param name="inventory">Gives the model's limits as served.</param>
    /// <returns>The request, or the error.</returns>
    public static Parsed<OpenAiRequest> ParseChat(JsonElement root, IModelInventory inventory) => Parse(root, inventory, chat: true);

    /// <summary>Parses a <c>completions</c> body.</summary>
    /// <param name="root">The parsed body.</param>
    /// <param name="inventory">Gives the model's limits as served.</param>
    /// <returns>The request, or the error.</returns>
    public static Parsed<OpenAiRequest> ParseCompletion(JsonElement root, IModelInventory inventory) => Parse(root, inventory, chat: false);

    private static Parsed<OpenAiRequest> Parse(JsonElement root, IModelInventory inventory, bool chat)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        if (root.ValueKind != JsonValueKind.Object)
        {
            return ErrorMapping.InvalidInput("body", "must be a JSON object");
        }

        if (!JsonFields.TryGet(root, "model", out JsonElement modelElement))
        {
            return ErrorMapping.InvalidInput("model", "is required");
        }

        if (!JsonFields.TryGetText(modelElement, out string? modelId))
        {
            return ErrorMapping.InvalidInput("model", "must be a string");
        }

        if (!ModelCatalog.TryGet(modelId, out CatalogEntry? model))
        {
            return ErrorMapping.NoSuchModel(modelId);
        }

        var fields = new JsonFields();
        string? prompt = null;
        IReadOnlyList<ChatMessage>? messages = null;
        if (chat)
        {
            if (!JsonFields.TryGet(root, "messages", out JsonElement messagesElement))
            {
                return ErrorMapping.InvalidInput("messages", "is required");
            }

            messages = RunRequestParser.ParseMessages(messagesElement, fields, allowDeveloper: true, ParseContent);
        }
        else
        {
            if (!JsonFields.TryGet(root, "prompt", out JsonElement promptElement))
            {
                return ErrorMapping.InvalidInput("prompt", "is required");
            }

            prompt = ParsePrompt(promptElement, fields);
        }

        long sequenceLimit = inventory.LimitsOf(model).SequenceTokensLimit;
        long? maxTokens = fields.ReadInteger(root, "max_tokens", "max_tokens", 1, sequenceLimit)
            ?? fields.ReadInteger(root, "max_completion_tokens", "max_completion_tokens", 1, sequenceLimit);
        double? temperature = fields.ReadNumber(root, "temperature", "temperature", 0, 5);
        double? topP = fields.ReadNumber(root, "top_p", "top_p", 0, 2);
        long? topK = fields.ReadInteger(root, "top_k", "top_k", 1, 50);
        long? seed = fields.ReadInteger(root, "seed", "seed", 1, RunRequestParser.MaxSeed);
        fields.ReadInteger(root, "n", "n", 1, 1);
        double? frequencyPenalty = fields.ReadNumber(root, "frequency_penalty", "frequency_penalty", -2, 2);
        double? presencePenalty = fields.ReadNumber(root, "presence_penalty", "presence_penalty", -2, 2);
        bool stream = fields.ReadBoolean(root, "stream", "stream") ?? false;
        bool includeUsage = false;
        if (fields.ReadObject(root, "stream_options", "stream_options") is JsonElement streamOptions)
        {
            includeUsage = fields.ReadBoolean(streamOptions, "include_usage", "stream_options.include_usage") ?? false;
        }

        int? topLogprobs = chat ? ParseChatLogprobs(root, fields) : (int?)fields.ReadInteger(root, "logprobs", "logprobs", 0, MaxCompletionLogprobs);
        IReadOnlyList<string> stop = ParseStop(root, fields);
        OpenAiUnsupportedFields.Check(root, fields, chat);
        if (fields.Error is not null)
        {
            return fields.Error;
        }

        var generation = new TextGenerationRequest
        {
            Prompt = prompt,
            Messages = messages,
            Stream = stream,
            MaxTokens = (int?)maxTokens,
            Raw = !chat,
            Temperature = temperature,
            TopP = topP,
            TopK = (int?)topK,
            Seed = seed,
            FrequencyPenalty = frequencyPenalty,
            PresencePenalty = presencePenalty,
            TopLogprobs = topLogprobs,
        };
        return new Parsed<OpenAiRequest>(new OpenAiRequest(model, generation, stop, includeUsage));
    }

    /// <summary>Chat's <c>logprobs</c> (a boolean) and <c>top_logprobs</c> (0–20, only with <c>logprobs: true</c>), as alternatives to report.</summary>
    private static int? ParseChatLogprobs(JsonElement root, JsonFields fields)
    {
        bool logprobs = fields.ReadBoolean(root, "logprobs", "logprobs") ?? false;
        long? top = fields.ReadInteger(root, "top_logprobs", "top_logprobs", 0, TextGenerationRequest.MaxTopLogprobs);
        if (top > 0 && !logprobs)
        {
            fields.Fail("top_logprobs", "needs logprobs: true");
        }

        return logprobs ? (int)(top ?? 0) : null;
    }

    private static string? ParsePrompt(JsonElement element, JsonFields fields)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            if (element.GetArrayLength() != 1)
            {
                fields.Fail("prompt", "must be a string or an array of exactly one string");
                return null;
            }

            element = element[0];
        }

        return fields.CheckString(element, "prompt", 1, JsonFields.MaxTextLength);
    }

    private static string? ParseContent(JsonElement item, string path, JsonFields fields)
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
                var text = new StringBuilder();
                int index = 0;
                foreach (JsonElement part in content.EnumerateArray())
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
                        || fields.CheckString(partText, partPath + ".text", 0, JsonFields.MaxTextLength) is not string piece)
                    {
                        fields.Fail(partPath + ".text", "must be a string");
                        return null;
                    }

                    text.Append(piece);
                }

                if (text.Length > JsonFields.MaxTextLength)
                {
                    fields.Fail(path, string.Create(CultureInfo.InvariantCulture, $"must be at most {JsonFields.MaxTextLength} characters"));
                    return null;
                }

                return text.ToString();
            default:
                return fields.CheckString(content, path, 0, JsonFields.MaxTextLength);
        }
    }

    private static List<string> ParseStop(JsonElement root, JsonFields fields)
    {
        if (!JsonFields.TryGet(root, "stop", out JsonElement stop))
        {
            return [];
        }

        if (stop.ValueKind == JsonValueKind.String)
        {
            return fields.CheckString(stop, "stop", 1, JsonFields.MaxTextLength) is string single ? [single] : [];
        }

        if (stop.ValueKind != JsonValueKind.Array || stop.GetArrayLength() > MaxStopStrings)
        {
            fields.Fail("stop", string.Create(CultureInfo.InvariantCulture, $"must be a string or an array of at most {MaxStopStrings} strings"));
            return [];
        }

        var list = new List<string>(stop.GetArrayLength());
        int index = 0;
        foreach (JsonElement item in stop.EnumerateArray())
        {
            string path = string.Create(CultureInfo.InvariantCulture, $"stop[{index}]");
            index++;
            if (fields.CheckString(item, path, 1, JsonFields.MaxTextLength) is string value)
            {
                list.Add(value);
            }
        }

        return list;
    }
}
