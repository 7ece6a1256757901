using System.Globalization;
using Ember.Models.Catalog;
using Ember.Runtime.Generation;

namespace Ember.Runtime.Service;

/// <summary>
/// Checks a request against <see cref="RequestFields"/> and the model's limits before anything else happens, with the
/// same words the HTTP parsers use (<c>field: rule</c>), so a value that reaches the runtime unchecked is refused
/// exactly as the host would have refused it.
/// </summary>
/// <remarks>
/// The ranges (numeric fields, text lengths, stop strings) of a request an HTTP parser already checked against these
/// limits (<see cref="TextGenerationRequest.RangesCheckedAgainst"/>) are not checked again; the other rules always are.
/// </remarks>
internal static class RequestValidator
{
    /// <summary>Throws <see cref="AiErrorKind.BadInput"/> naming the first rule the request breaks.</summary>
    /// <param name="request">The request.</param>
    /// <param name="limits">The model's limits as served.</param>
    public static void Validate(TextGenerationRequest request, ModelLimits limits)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(limits);
        var ranges = !ReferenceEquals(request.RangesCheckedAgainst, limits);
        if ((request.Prompt is null) == (request.Messages is null))
        {
            throw Bad("body: " + RequestFields.PromptOrMessagesRule);
        }

        if (request.Prompt is { } prompt)
        {
            Require(!ranges || prompt.Length is >= 1 and <= RequestFields.MaxTextLength, "prompt: " + RequestFields.TextRule(1));
            Require(!prompt.Contains('\0', StringComparison.Ordinal), "prompt: must not contain U+0000");
        }

        if (request.Messages is { } messages)
        {
            Require(messages.Count >= 1, "messages: " + RequestFields.MessagesRule);
            for (var i = 0; i < messages.Count; i++)
            {
                var path = string.Create(CultureInfo.InvariantCulture, $"messages[{i}]");
                Require(messages[i] is not null, path + ": " + RequestFields.MessageRule);
                Require(!ranges || messages[i].Content.Length <= RequestFields.MaxTextLength, path + ".content: " + RequestFields.TextRule(0));
                Require(!messages[i].Content.Contains('\0', StringComparison.Ordinal), path + ".content: must not contain U+0000");
            }
        }

        if (ranges && request.Stop is { } stops)
        {
            Require(stops.Count <= RequestFields.MaxStopStrings, "stop: " + RequestFields.StopRule);
            for (var i = 0; i < stops.Count; i++)
            {
                Require(stops[i] is { Length: >= 1 and <= RequestFields.MaxTextLength }, string.Create(CultureInfo.InvariantCulture, $"stop[{i}]: ") + RequestFields.TextRule(1));
            }
        }

        ValidateTools(request);
        if (!ranges)
        {
            return;
        }

        Check(RequestFields.MaxTokens(limits), request.MaxTokens);
        Check(RequestFields.Temperature, request.Temperature);
        Check(RequestFields.TopP, request.TopP);
        Check(RequestFields.TopK, request.TopK);
        Check(RequestFields.Seed, request.Seed);
        Check(RequestFields.RepetitionPenalty, request.RepetitionPenalty);
        Check(RequestFields.FrequencyPenalty, request.FrequencyPenalty);
        Check(RequestFields.PresencePenalty, request.PresencePenalty);
        Check(RequestFields.TopLogprobs, request.TopLogprobs);
    }

    /// <summary>The tools' names, the tool choice against them, and what tools do not combine with.</summary>
    private static void ValidateTools(TextGenerationRequest request)
    {
        var tools = request.Tools ?? [];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tools.Count; i++)
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"tools[{i}]");
            Require(tools[i] is not null, path + ": must be a tool");
            Require(RequestFields.IsToolName(tools[i].Name), path + ".function.name: " + RequestFields.ToolNameRule);
            Require(names.Add(tools[i].Name), path + ".function.name: " + RequestFields.DuplicateToolRule(tools[i].Name));
        }

        if (request.ToolChoice is { } choice)
        {
            Require(choice.Mode is ToolChoiceMode.None or ToolChoiceMode.Auto || tools.Count > 0, "tool_choice: " + RequestFields.ToolChoiceNeedsToolsRule);
            Require(choice.Mode != ToolChoiceMode.Function || (choice.FunctionName is { } name && names.Contains(name)), "tool_choice: " + RequestFields.UnknownToolRule(choice.FunctionName));
        }

        if (request.EffectiveToolChoice.Mode != ToolChoiceMode.None)
        {
            Require(request.ResponseFormat is null or { Kind: ResponseFormatKind.Text }, "response_format: " + RequestFields.ResponseFormatWithToolsRule);
            Require(!request.Raw || request.Prompt is null, "tools: " + RequestFields.ToolsWithRawRule);
        }
    }

    private static void Check(RequestField field, double? value) =>
        Require(value is not { } given || field.Range.Contains(given), field.Failure());

    private static void Require(bool condition, string rule)
    {
        if (!condition)
        {
            throw Bad(rule);
        }
    }

    private static AiTextGenerationException Bad(string rule) => new(AiErrorKind.BadInput, rule);
}
