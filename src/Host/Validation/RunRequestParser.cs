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
/// Fields: exactly one of <c>prompt</c> and <c>messages</c> (<see cref="ChatMessagesParser"/>); <c>stream</c>,
/// <c>raw</c> (booleans); <c>max_tokens</c> and the sampling fields, in the ranges of <see cref="RequestFields"/> for
/// <see cref="RequestApis.WorkersAi"/> (the same table <c>models/schema</c> advertises); <c>stop</c>
/// (<see cref="StopParser"/>); <c>options.rejectIfBusy</c>
/// (boolean). Unknown fields are ignored.
/// </para>
/// <para>Stateless and thread-safe.</para>
/// </remarks>
public static class RunRequestParser
{
    private const RequestApis Api = RequestApis.WorkersAi;

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
                ? ErrorMapping.InvalidInput("body", RequestFields.PromptOrMessagesRule)
                : ErrorMapping.InvalidInput("prompt", "is required (or messages)");
        }

        string? prompt = hasPrompt ? fields.ReadString(root, "prompt", "prompt", 1, RequestFields.MaxTextLength) : null;
        IReadOnlyList<ChatMessage>? messages = hasMessages ? ChatMessagesParser.Parse(messagesElement, fields, openAi: false) : null;
        bool stream = fields.ReadBoolean(root, "stream", "stream") ?? false;
        double? maxTokens = fields.Read(root, RequestFields.MaxTokens(limits), Api);
        bool raw = fields.ReadBoolean(root, "raw", "raw") ?? false;
        string? lora = JsonFields.TryGet(root, "lora", out _) ? fields.ReadString(root, "lora", "lora", 1, 256) : null;
        double? temperature = fields.Read(root, RequestFields.Temperature, Api);
        double? topP = fields.Read(root, RequestFields.TopP, Api);
        double? topK = fields.Read(root, RequestFields.TopK, Api);
        double? seed = fields.Read(root, RequestFields.Seed, Api);
        double? repetitionPenalty = fields.Read(root, RequestFields.RepetitionPenalty, Api);
        double? frequencyPenalty = fields.Read(root, RequestFields.FrequencyPenalty, Api);
        double? presencePenalty = fields.Read(root, RequestFields.PresencePenalty, Api);
        IReadOnlyList<string>? stop = StopParser.Parse(root, fields);
        ResponseFormat? responseFormat = ResponseFormatParser.Parse(root, fields);
        (IReadOnlyList<ChatTool>? tools, ToolChoice? toolChoice, bool parallelToolCalls) = ToolsParser.Parse(root, fields, flatForm: true);
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
            Seed = (long?)seed,
            RepetitionPenalty = repetitionPenalty,
            FrequencyPenalty = frequencyPenalty,
            PresencePenalty = presencePenalty,
            RejectIfBusy = rejectIfBusy,
            Stop = stop,
            ResponseFormat = responseFormat,
            Tools = tools,
            ToolChoice = toolChoice,
            ParallelToolCalls = parallelToolCalls,
            Lora = lora,
            RangesCheckedAgainst = limits,
        });
    }
}
