namespace Ember.Host.Wire.Responses;

/// <summary>The <c>error</c> of a failed response.</summary>
/// <param name="Code">The error's code (Ember's, as text, such as <c>3046</c>).</param>
/// <param name="Message">What went wrong.</param>
public sealed record ResponseError(string Code, string Message);
