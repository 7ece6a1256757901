using System.Text.Json;
using System.Text.RegularExpressions;
using Ember.Host.Errors;
using Ember.Models.Catalog;
using Ember.Models.Chat;
using Ember.Runtime.Generation;

namespace Ember.Host.Validation;

/// <summary>
/// Checks a Responses API body (<c>POST …/ai/v1/responses</c>) and turns it into a runtime request; failures are 5006
/// naming the field, in OpenAI's error shape.
/// </summary>
/// <remarks>
/// <para>
/// Fields: <c>input</c> and <c>instructions</c> (<see cref="ResponsesInputParser"/>), <c>max_output_tokens</c> (1 to
/// the model's sequence limit; absent: the model's default), <c>temperature</c> and <c>top_p</c> in the ranges of
/// <see cref="RequestFields"/>, <c>tools</c> in the Responses flat form <c>{"type":"function","name","description","parameters"}</c>,
/// <c>tool_choice</c> (<c>"none"</c>, <c>"auto"</c>, <c>"required"</c>, <c>{"type":"function","name"}</c>),
/// <c>parallel_tool_calls</c>, <c>text.format</c> (<c>text</c>, <c>json_object</c>, or <c>json_schema</c> with
/// <c>{name, schema, strict}</c> flat in the format) and <c>stream</c>. The API is stateless: a previous response, a
/// conversation, background responses and stored prompts are refused (<see cref="OpenAiUnsupportedFields"/>); other
/// fields (<c>store</c>, <c>metadata</c>, <c>user</c>, <c>include</c>, …) are ignored.
/// </para>
/// <para>Stateless and thread-safe.</para>
/// </remarks>
public static partial class ResponsesRequestParser
{
    private const string ChatFormatField = "response_format.json_schema";
    private static readonly JsonElement DefaultText = Detached("""{"format":{"type":"text"}}""");
    private static readonly JsonElement DefaultToolChoice = Detached("\"auto\"");
    private static readonly JsonElement NoTools = Detached("[]");

    /// <summary>Parses a Responses API body.</summary>
    /// <param name="root">The parsed body, a JSON object.</param>
    /// <param name="model">The model its <c>model</c> names, with its limits as served.</param>
    /// <returns>The request, or the error.</returns>
    public static Parsed<ResponsesRequest> Parse(JsonElement root, ModelHandle model)
    {
        ArgumentNullException.ThrowIfNull(model);
        ModelLimits limits = model.Limits;
        var fields = new JsonFields();
        OpenAiUnsupportedFields.CheckResponses(root, fields);
        IReadOnlyList<ChatMessage>? messages = ResponsesInputParser.Parse(root, fields);
        double? maxTokens = fields.Read(root, RequestFields.MaxTokens(limits) with { Name = "max_output_tokens" }, RequestApis.OpenAiChat);
        double? temperature = fields.Read(root, RequestFields.Temperature, RequestApis.OpenAiChat);
        double? topP = fields.Read(root, RequestFields.TopP, RequestApis.OpenAiChat);
        bool stream = fields.ReadBoolean(root, "stream", "stream") ?? false;
        (IReadOnlyList<ChatTool>? tools, ToolChoice? choice, bool parallel) = ToolsParser.Parse(root, fields, flatForm: true);
        JsonElement? text = fields.ReadObject(root, "text", "text");
        ResponseFormat? format = text is { } textElement ? ParseFormat(textElement, fields) : null;
        if (format is not null && tools is not null && choice?.Mode != ToolChoiceMode.None)
        {
            fields.Fail("text.format", RequestFields.ResponseFormatWithToolsRule);
        }

        if (fields.Error is { } error)
        {
            return error;
        }

        var request = new TextGenerationRequest
        {
            RangesCheckedAgainst = limits,
            Messages = messages,
            Stream = stream,
            MaxTokens = (int?)maxTokens,
            Temperature = temperature,
            TopP = topP,
            ResponseFormat = format,
            Tools = tools,
            ToolChoice = choice,
            ParallelToolCalls = parallel,
        };
        string? instructions = JsonFields.TryGet(root, "instructions", out JsonElement given) ? given.GetString() : null;
        var echo = new ResponsesEcho(
            instructions,
            (int?)maxTokens,
            temperature,
            topP,
            parallel,
            text?.Clone() ?? DefaultText,
            JsonFields.TryGet(root, "tool_choice", out JsonElement toolChoice) ? toolChoice.Clone() : DefaultToolChoice,
            JsonFields.TryGet(root, "tools", out JsonElement toolsElement) ? toolsElement.Clone() : NoTools);
        return new Parsed<ResponsesRequest>(new ResponsesRequest(model, request, echo));
    }

    /// <summary>
    /// Names the Responses API's fields in a runtime refusal, which names the chat API's: a schema outside the subset
    /// under <c>text.format.schema</c> (not <c>response_format.json_schema</c>), a tool's under <c>tools[i].parameters</c>
    /// (not <c>tools[i].function.parameters</c>).
    /// </summary>
    /// <param name="error">The refusal.</param>
    /// <returns>The refusal in the Responses API's names.</returns>
    public static ApiError RenameRuntimeFields(ApiError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error with { Message = Rename(error.Message), Param = error.Param is { } param ? Rename(param) : null };

        static string Rename(string text) => text.StartsWith(ChatFormatField, StringComparison.Ordinal)
            ? "text.format.schema" + text[ChatFormatField.Length..]
            : ChatToolParameters().Replace(text, "tools[$1].parameters", 1);
    }

    [GeneratedRegex(@"^tools\[(\d+)\]\.function\.parameters")]
    private static partial Regex ChatToolParameters();

    private static ResponseFormat? ParseFormat(JsonElement text, JsonFields fields) =>
        fields.ReadObject(text, "format", "text.format") is JsonElement format ? ResponseFormatParser.ParseFormat(format, "text.format", fields, flat: true) : null;

    private static JsonElement Detached(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
