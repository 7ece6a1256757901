namespace Ember.Host.Wire.Responses;

/// <summary>A message's <c>output_text</c> part.</summary>
/// <param name="Type">Always <c>output_text</c>.</param>
/// <param name="Text">The text (empty in <c>response.content_part.added</c>).</param>
/// <param name="Annotations">Always empty.</param>
/// <param name="Logprobs">Always empty.</param>
public sealed record ResponseContentPart(string Type, string Text, IReadOnlyList<string> Annotations, IReadOnlyList<string> Logprobs);
