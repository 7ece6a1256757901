using System.Text.Json.Nodes;

namespace Ember.Host.Wire;

/// <summary>The <c>result</c> of <c>models/schema</c>: the model's input and output JSON schemas.</summary>
/// <param name="Input">The input schema.</param>
/// <param name="Output">The output schema.</param>
public sealed record ModelSchema(JsonObject Input, JsonObject Output);
