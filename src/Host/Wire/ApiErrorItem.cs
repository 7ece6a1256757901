namespace Ember.Host.Wire;

/// <summary>One entry of an envelope's <c>errors</c> array.</summary>
/// <param name="Code">The Workers AI error code, such as 5006.</param>
/// <param name="Message">What went wrong.</param>
public sealed record ApiErrorItem(int Code, string Message);
