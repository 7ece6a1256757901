using Ember.Models.Catalog;
using Ember.Models.Chat;

namespace Ember.Runtime.Generation;

/// <summary>
/// The <c>AiTextGeneration</c> input: exactly one of <see cref="Prompt"/> and <see cref="Messages"/>,
/// plus generation options. Absent options take the model's defaults.
/// </summary>
public sealed record TextGenerationRequest
{
    /// <summary>The prompt form's text; wrapped as one user turn unless <see cref="Raw"/>.</summary>
    public string? Prompt { get; init; }

    /// <summary>The messages form's conversation.</summary>
    public IReadOnlyList<ChatMessage>? Messages { get; init; }

    /// <summary>Whether the caller streams; decides the default of <see cref="MaxTokens"/>.</summary>
    public bool Stream { get; init; }

    /// <summary>Most tokens to generate; absent: the model's default (its stream default when streaming).</summary>
    public int? MaxTokens { get; init; }

    /// <summary>Send the prompt as it is, with no chat template.</summary>
    public bool Raw { get; init; }

    /// <summary>Sampling temperature, 0..5; 0 is greedy. Absent: <see cref="RequestFields.Temperature"/>'s default.</summary>
    public double? Temperature { get; init; }

    /// <summary>Nucleus sampling mass, (0..2]; values at or above 1 keep every token.</summary>
    public double? TopP { get; init; }

    /// <summary>Sample among the k most likely tokens, 1..50.</summary>
    public int? TopK { get; init; }

    /// <summary>Random seed for sampling, 1..9999999999; the same seed gives the same text.</summary>
    public long? Seed { get; init; }

    /// <summary>Repetition penalty, 0..2 (1 is none).</summary>
    public double? RepetitionPenalty { get; init; }

    /// <summary>Subtracted from a token's logit once per time it was generated, -2..2 (continuous scheduler).</summary>
    public double? FrequencyPenalty { get; init; }

    /// <summary>Subtracted from the logit of every token generated at least once, -2..2 (continuous scheduler).</summary>
    public double? PresencePenalty { get; init; }

    /// <summary>
    /// Return each generated token's log probability and those of the <c>TopLogprobs</c> most likely tokens at its
    /// position, 0..20 (<see cref="RequestFields.TopLogprobs"/>); absent: none (continuous scheduler).
    /// </summary>
    public int? TopLogprobs { get; init; }

    /// <summary>Fail at once with <see cref="AiErrorKind.Busy"/> instead of queueing when no slot is free.</summary>
    public bool RejectIfBusy { get; init; }

    /// <summary>
    /// Gets the stop strings: up to <see cref="RequestFields.MaxStopStrings"/> non-empty strings; the text ends before
    /// the first one the generated text contains (matched on the decoded text, across tokens), and the sequence ends
    /// there as <see cref="FinishReason.Stop"/>. <see langword="null"/> or empty: none.
    /// </summary>
    public IReadOnlyList<string>? Stop { get; init; }

    /// <summary>
    /// Gets the structured-output format: with <see cref="ResponseFormatKind.JsonObject"/> or
    /// <see cref="ResponseFormatKind.JsonSchema"/> only tokens that keep the text a prefix of such a value can be picked,
    /// and the sequence ends as <see cref="FinishReason.Stop"/> when the value is complete (continuous scheduler only).
    /// <see langword="null"/>: free text.
    /// </summary>
    public ResponseFormat? ResponseFormat { get; init; }

    /// <summary>
    /// Gets the tools the model may call (messages form only): they are written into the prompt
    /// (<see cref="ToolPrompt"/>), and a call is decoded under their schemas (docs/tools.md). <see langword="null"/> or
    /// empty: none.
    /// </summary>
    public IReadOnlyList<ChatTool>? Tools { get; init; }

    /// <summary>Gets whether and how the model calls <see cref="Tools"/>; <see langword="null"/>: <see cref="ToolChoice.Auto"/> with tools.</summary>
    public ToolChoice? ToolChoice { get; init; }

    /// <summary>Gets a value indicating whether one answer may hold several calls (<c>parallel_tool_calls</c>, default true).</summary>
    public bool ParallelToolCalls { get; init; } = true;

    /// <summary>Gets the tool choice in force: none without tools, else <see cref="ToolChoice"/> or <see cref="ToolChoice.Auto"/>.</summary>
    public ToolChoice EffectiveToolChoice => Tools is not { Count: > 0 } ? Generation.ToolChoice.None : ToolChoice ?? Generation.ToolChoice.Auto;

    /// <summary>
    /// Gets a conversation's key (Workers AI's <c>x-session-affinity</c> header): requests with the same key go to the
    /// same replica, where the conversation's earlier turns are still in the prefix cache; <see langword="null"/>: the
    /// least-loaded replica.
    /// </summary>
    public string? SessionAffinity { get; init; }

    /// <summary>Gets the request's priority: batch items wait behind every interactive request of the replica's queue.</summary>
    public RequestPriority Priority { get; init; }

    /// <summary>Gets the LoRA adapter to run with, by name (Workers AI's <c>lora</c>); null: the base model.</summary>
    public string? Lora { get; init; }

    /// <summary>
    /// Gets the served limits an HTTP parser already checked this request's ranges against: every numeric field, the
    /// lengths of the prompt and the messages, and the stop strings, in its own API's ranges and words
    /// (<see cref="RequestFields"/>). The service leaves the ranges of a request checked against the model's own limits
    /// unchecked, and checks the rest of its rules as for any request. <see langword="null"/>: the service checks every rule.
    /// </summary>
    public ModelLimits? RangesCheckedAgainst { get; init; }
}
