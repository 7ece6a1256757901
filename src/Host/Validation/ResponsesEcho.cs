using System.Text.Json;

namespace Ember.Host.Validation;

/// <summary>The fields of a Responses API request that its response object repeats, as given (detached elements).</summary>
/// <param name="Instructions"><c>instructions</c>.</param>
/// <param name="MaxOutputTokens"><c>max_output_tokens</c>.</param>
/// <param name="Temperature"><c>temperature</c>.</param>
/// <param name="TopP"><c>top_p</c>.</param>
/// <param name="ParallelToolCalls"><c>parallel_tool_calls</c> (default true).</param>
/// <param name="Text"><c>text</c>, or <c>{"format":{"type":"text"}}</c>.</param>
/// <param name="ToolChoice"><c>tool_choice</c>, or <c>"auto"</c>.</param>
/// <param name="Tools"><c>tools</c>, or <c>[]</c>.</param>
public sealed record ResponsesEcho(string? Instructions, int? MaxOutputTokens, double? Temperature, double? TopP, bool ParallelToolCalls, JsonElement Text, JsonElement ToolChoice, JsonElement Tools);
