namespace Ember.Host.Wire;

/// <summary>One <c>{"property_id","value"}</c> entry of a model's properties.</summary>
/// <param name="PropertyId">The property's name, such as <c>context_window</c>.</param>
/// <param name="Value">The value, as a string (Cloudflare's form).</param>
public sealed record ModelProperty(string PropertyId, string Value);
