using System.Globalization;
using Ember.Models.Catalog;

namespace Ember.Runtime.Generation;

/// <summary>
/// The table of text-generation request fields: every rule and limit of a request, defined once. The Workers AI
/// and OpenAI parsers check bodies against it, <c>models/schema</c> advertises it and the service's <c>RequestValidator</c>
/// enforces it for in-process callers.
/// </summary>
/// <remarks>
/// <para>
/// Ranges follow Workers AI's text-generation schema (temperature 0–5, <c>top_p</c> 0–2, <c>top_k</c> 1–50, seed
/// 1–9999999999, penalties 0–2), with these choices: <c>top_p</c> 0 keeps only the most likely token;
/// <c>repetition_penalty</c> must be above 0 (a penalty of 0 would divide by zero); <c>frequency_penalty</c> and
/// <c>presence_penalty</c> take OpenAI's −2 to 2 on the engine and the OpenAI endpoints, and Workers AI's 0 to 2 on
/// <c>ai/run</c>. <c>max_tokens</c> is 1 to the model's sequence tokens limit (<see cref="MaxTokens"/>).
/// </para>
/// <para>Immutable; thread-safe.</para>
/// </remarks>
public static class RequestFields
{
    /// <summary>The longest <c>prompt</c> or message <c>content</c>, in characters.</summary>
    public const int MaxTextLength = 131_072;

    /// <summary>The rule of a body with both or neither of <c>prompt</c> and <c>messages</c>.</summary>
    public const string PromptOrMessagesRule = "must have exactly one of prompt and messages, not both";

    /// <summary>The rule of <c>messages</c>.</summary>
    public const string MessagesRule = "must be a non-empty array of {role, content} objects";

    /// <summary>The rule of one message.</summary>
    public const string MessageRule = "must be an object with role and content";

    /// <summary>The most stop strings a request may give.</summary>
    public const int MaxStopStrings = 4;

    /// <summary>Gets the rule of <c>stop</c>, naming <see cref="MaxStopStrings"/>.</summary>
    public static string StopRule { get; } = string.Create(CultureInfo.InvariantCulture, $"must be a string or an array of at most {MaxStopStrings} strings");

    /// <summary>The rule of a tool's name (OpenAI's): 1 to 64 letters, digits, underscores and dashes.</summary>
    public const string ToolNameRule = "must be 1 to 64 letters, digits, underscores or dashes";

    /// <summary>The rule of a <c>tool_choice</c> of required or a named tool without tools.</summary>
    public const string ToolChoiceNeedsToolsRule = "needs tools";

    /// <summary>The rule of a response format beside tools the model may call.</summary>
    public const string ResponseFormatWithToolsRule = "must be text (or absent) when the model may call tools; use tool_choice \"none\" or drop the tools";

    /// <summary>The rule of tools beside a raw prompt.</summary>
    public const string ToolsWithRawRule = "a raw prompt has no template to show them in; drop raw or the tools";

    /// <summary>Whether <paramref name="name"/> is a valid tool name (<see cref="ToolNameRule"/>).</summary>
    /// <param name="name">The name.</param>
    /// <returns><see langword="true"/> when it is.</returns>
    public static bool IsToolName(string? name) =>
        name is { Length: >= 1 and <= 64 } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    /// <summary>The rule a second tool of the same name breaks.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The rule.</returns>
    public static string DuplicateToolRule(string name) => $"names '{name}' twice; tool names must be unique";

    /// <summary>The rule a <c>tool_choice</c> naming no tool breaks.</summary>
    /// <param name="name">The name it gives.</param>
    /// <returns>The rule.</returns>
    public static string UnknownToolRule(string? name) => $"names '{name}', which is not one of the tools";

    /// <summary>Gets <c>temperature</c>: 0 (greedy) to 5, default 0.6.</summary>
    public static RequestField Temperature { get; } = new("temperature", RequestFieldType.Number, new(0, 5), 0.6, RequestApis.All);

    /// <summary>Gets <c>top_p</c>: 0 to 2 (values from 1 keep every token), default 1.</summary>
    public static RequestField TopP { get; } = new("top_p", RequestFieldType.Number, new(0, 2), 1, RequestApis.All);

    /// <summary>Gets <c>top_k</c>: 1 to 50, default 50 when sampling.</summary>
    public static RequestField TopK { get; } = new("top_k", RequestFieldType.WholeNumber, new(1, 50), 50, RequestApis.All);

    /// <summary>Gets <c>seed</c>: 1 to 9999999999; absent, each request draws a fresh one.</summary>
    public static RequestField Seed { get; } = new("seed", RequestFieldType.WholeNumber, new(1, 9_999_999_999), null, RequestApis.All);

    /// <summary>Gets <c>repetition_penalty</c>: above 0 to 2, default 1 (none); Workers AI only.</summary>
    public static RequestField RepetitionPenalty { get; } = new("repetition_penalty", RequestFieldType.Number, new(0, 2, ExclusiveMinimum: true), 1, RequestApis.WorkersAi);

    /// <summary>Gets <c>frequency_penalty</c>: −2 to 2 (Workers AI: 0 to 2), default 0.</summary>
    public static RequestField FrequencyPenalty { get; } = new("frequency_penalty", RequestFieldType.Number, new(-2, 2), 0, RequestApis.All) { WorkersAiRange = new(0, 2) };

    /// <summary>Gets <c>presence_penalty</c>: −2 to 2 (Workers AI: 0 to 2), default 0.</summary>
    public static RequestField PresencePenalty { get; } = new("presence_penalty", RequestFieldType.Number, new(-2, 2), 0, RequestApis.All) { WorkersAiRange = new(0, 2) };

    /// <summary>Gets chat's <c>top_logprobs</c>: the alternatives reported per token, 0 to 20.</summary>
    public static RequestField TopLogprobs { get; } = new("top_logprobs", RequestFieldType.WholeNumber, new(0, 20), null, RequestApis.OpenAiChat);

    /// <summary>Gets the completions endpoint's integer <c>logprobs</c>: 0 to 5 alternatives (OpenAI's limit).</summary>
    public static RequestField CompletionLogprobs { get; } = new("logprobs", RequestFieldType.WholeNumber, new(0, 5), null, RequestApis.OpenAiCompletions);

    /// <summary>Gets OpenAI's <c>n</c>: only 1 choice.</summary>
    public static RequestField Choices { get; } = new("n", RequestFieldType.WholeNumber, new(1, 1), 1, RequestApis.OpenAi);

    /// <summary>Gets the sampling fields every API shares, in schema order; each but <c>seed</c> has its default here.</summary>
    public static IReadOnlyList<RequestField> Sampling { get; } = [Temperature, TopP, TopK, Seed, RepetitionPenalty, FrequencyPenalty, PresencePenalty];

    /// <summary>Gets every numeric field of the table but <c>max_tokens</c>.</summary>
    public static IReadOnlyList<RequestField> All { get; } = [.. Sampling, TopLogprobs, CompletionLogprobs, Choices];

    /// <summary>The field <c>max_tokens</c> of a model: 1 to its sequence tokens limit, defaulting to its (non-streaming) default.</summary>
    /// <param name="limits">The model's limits as served.</param>
    /// <returns>The field.</returns>
    public static RequestField MaxTokens(ModelLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return new("max_tokens", RequestFieldType.WholeNumber, new(1, limits.SequenceTokensLimit), limits.DefaultMaxTokens, RequestApis.All);
    }

    /// <summary>The rule of a text field: a string of <paramref name="minLength"/> to <see cref="MaxTextLength"/> characters.</summary>
    /// <param name="minLength">The fewest characters: 1 for <c>prompt</c>, 0 for message content.</param>
    /// <returns>Such as <c>must be a string of 1 to 131072 characters</c>.</returns>
    public static string TextRule(int minLength) => LengthRule(minLength, MaxTextLength);

    /// <summary>The rule of a string of <paramref name="minLength"/> to <paramref name="maxLength"/> characters.</summary>
    /// <param name="minLength">The fewest characters.</param>
    /// <param name="maxLength">The most characters.</param>
    /// <returns>Such as <c>must be a string of at most 131072 characters</c> when <paramref name="minLength"/> is 0.</returns>
    public static string LengthRule(int minLength, int maxLength) => minLength > 0
        ? string.Create(CultureInfo.InvariantCulture, $"must be a string of {minLength} to {maxLength} characters")
        : string.Create(CultureInfo.InvariantCulture, $"must be a string of at most {maxLength} characters");
}
