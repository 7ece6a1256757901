using System.Globalization;
using System.Text.Json;
using Ember.Host.Errors;
using Ember.Models.Catalog;
using Ember.Models.Chat;
using Ember.Runtime.Generation;

namespace Ember.Host.Validation;

/// <summary>
/// Checks OpenAI-compatible <c>chat/completions</c> and <c>completions</c> bodies and turns them into runtime
/// requests; failures are 5006 naming the field.
/// </summary>
/// <remarks>
/// <para>
/// The endpoint reads <c>model</c> first (<see cref="ReadModelId"/>) and resolves it once; the rest is parsed for
/// that model. Shared fields: <c>max_tokens</c> or <c>max_completion_tokens</c> (1 to the model's sequence limit;
/// absent: the model's default, not OpenAI's 16), the sampling fields in the ranges of <see cref="RequestFields"/>
/// (<c>top_k</c> is an extension), <c>stop</c> (a string or up to <see cref="RequestFields.MaxStopStrings"/>
/// non-empty strings), <c>response_format</c> (structured output, <see cref="ResponseFormatParser"/>), <c>stream</c>,
/// <c>stream_options.include_usage</c>, <c>n</c> (1 only), and for chat the tools (<see cref="ToolsParser"/>). Fields
/// asking for what Ember does not do (the older <c>functions</c>, logit bias, …) are refused unless they ask for nothing
/// (<see cref="OpenAiUnsupportedFields"/>); other unknown fields are ignored.
/// </para>
/// <para>
/// Chat: <c>messages</c> in OpenAI's forms (<see cref="ChatMessagesParser"/>), and log probabilities as
/// <c>logprobs: true</c> with <c>top_logprobs</c>. Completions: <c>prompt</c> is a string or an array of one string,
/// sent raw (no chat template), and <c>logprobs</c> is the integer count of alternatives.
/// </para>
/// <para>Stateless and thread-safe.</para>
/// </remarks>
public static class OpenAiRequestParser
{
    /// <summary>Reads the body's required <c>model</c>.</summary>
    /// <param name="root">The parsed body.</param>
    /// <returns>The model id, or the error.</returns>
    public static Parsed<string> ReadModelId(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return ErrorMapping.InvalidInput("body", "must be a JSON object");
        }

        if (!JsonFields.TryGet(root, "model", out JsonElement modelElement))
        {
            return ErrorMapping.InvalidInput("model", "is required");
        }

        return JsonFields.TryGetText(modelElement, out string? modelId)
            ? new Parsed<string>(modelId)
            : ErrorMapping.InvalidInput("model", "must be a string");
    }

    /// <summary>Parses a <c>chat/completions</c> body.</summary>
    /// <param name="root">The parsed body, a JSON object.</param>
    /// <param name="model">The model its <c>model</c> names, with its limits as served.</param>
    /// <returns>The request, or the error.</returns>
    public static Parsed<OpenAiRequest> ParseChat(JsonElement root, ModelHandle model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!JsonFields.TryGet(root, "messages", out JsonElement messagesElement))
        {
            return ErrorMapping.InvalidInput("messages", "is required");
        }

        var fields = new JsonFields();
        IReadOnlyList<ChatMessage>? messages = ChatMessagesParser.Parse(messagesElement, fields, openAi: true);
        (TextGenerationRequest shared, bool includeUsage) = ReadShared(root, fields, RequestApis.OpenAiChat, model.Limits);
        bool logprobs = fields.ReadBoolean(root, "logprobs", "logprobs") ?? false;
        double? top = fields.Read(root, RequestFields.TopLogprobs, RequestApis.OpenAiChat);
        if (top > 0 && !logprobs)
        {
            fields.Fail("top_logprobs", "needs logprobs: true");
        }

        var request = shared with { Messages = messages, TopLogprobs = logprobs ? (int)(top ?? 0) : null };
        return Finish(root, fields, RequestApis.OpenAiChat, model, request, includeUsage);
    }

    /// <summary>Parses a <c>completions</c> body.</summary>
    /// <param name="root">The parsed body, a JSON object.</param>
    /// <param name="model">The model its <c>model</c> names, with its limits as served.</param>
    /// <returns>The request, or the error.</returns>
    public static Parsed<OpenAiRequest> ParseCompletion(JsonElement root, ModelHandle model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!JsonFields.TryGet(root, "prompt", out JsonElement promptElement))
        {
            return ErrorMapping.InvalidInput("prompt", "is required");
        }

        var fields = new JsonFields();
        string? prompt = ParsePrompt(promptElement, fields);
        (TextGenerationRequest shared, bool includeUsage) = ReadShared(root, fields, RequestApis.OpenAiCompletions, model.Limits);
        double? logprobs = fields.Read(root, RequestFields.CompletionLogprobs, RequestApis.OpenAiCompletions);
        var request = shared with { Prompt = prompt, Raw = true, TopLogprobs = (int?)logprobs };
        return Finish(root, fields, RequestApis.OpenAiCompletions, model, request, includeUsage);
    }

    /// <summary>The fields both endpoints take (failures are left in <paramref name="fields"/>).</summary>
    private static (TextGenerationRequest Shared, bool IncludeUsage) ReadShared(JsonElement root, JsonFields fields, RequestApis api, ModelLimits limits)
    {
        RequestField maxTokensField = RequestFields.MaxTokens(limits);
        // Both are checked; OpenAI's older max_tokens wins where both are given.
        double? legacyMaxTokens = fields.Read(root, maxTokensField, api);
        double? maxTokens = fields.Read(root, maxTokensField with { Name = "max_completion_tokens" }, api);
        maxTokens = legacyMaxTokens ?? maxTokens;
        double? temperature = fields.Read(root, RequestFields.Temperature, api);
        double? topP = fields.Read(root, RequestFields.TopP, api);
        double? topK = fields.Read(root, RequestFields.TopK, api);
        double? seed = fields.Read(root, RequestFields.Seed, api);
        fields.Read(root, RequestFields.Choices, api);
        double? frequencyPenalty = fields.Read(root, RequestFields.FrequencyPenalty, api);
        double? presencePenalty = fields.Read(root, RequestFields.PresencePenalty, api);
        bool stream = fields.ReadBoolean(root, "stream", "stream") ?? false;
        bool includeUsage = false;
        if (fields.ReadObject(root, "stream_options", "stream_options") is JsonElement streamOptions)
        {
            includeUsage = fields.ReadBoolean(streamOptions, "include_usage", "stream_options.include_usage") ?? false;
        }

        var shared = new TextGenerationRequest
        {
            RangesCheckedAgainst = limits,
            Stream = stream,
            MaxTokens = (int?)maxTokens,
            Temperature = temperature,
            TopP = topP,
            TopK = (int?)topK,
            Seed = (long?)seed,
            FrequencyPenalty = frequencyPenalty,
            PresencePenalty = presencePenalty,
        };
        return (shared, includeUsage);
    }

    /// <summary>Reads <c>stop</c> (<see cref="StopParser"/>), refuses unsupported fields, and returns the request or the first failure.</summary>
    private static Parsed<OpenAiRequest> Finish(JsonElement root, JsonFields fields, RequestApis api, ModelHandle model, TextGenerationRequest request, bool includeUsage)
    {
        ArgumentNullException.ThrowIfNull(model);
        IReadOnlyList<string>? stop = StopParser.Parse(root, fields);
        ResponseFormat? responseFormat = ResponseFormatParser.Parse(root, fields);
        if (api == RequestApis.OpenAiChat)
        {
            (IReadOnlyList<ChatTool>? tools, ToolChoice? choice, bool parallel) = ToolsParser.Parse(root, fields, flatForm: false);
            request = request with { Tools = tools, ToolChoice = choice, ParallelToolCalls = parallel };
        }

        OpenAiUnsupportedFields.Check(root, fields, api);
        return fields.Error is { } error ? error : new Parsed<OpenAiRequest>(new OpenAiRequest(model, request with { Stop = stop, ResponseFormat = responseFormat }, includeUsage));
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

        return fields.CheckString(element, "prompt", 1, RequestFields.MaxTextLength);
    }
}
