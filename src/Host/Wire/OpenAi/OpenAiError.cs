namespace Ember.Host.Wire.OpenAi;

/// <summary>The error object of <see cref="OpenAiErrorEnvelope"/>.</summary>
/// <param name="Message">What went wrong.</param>
/// <param name="Type">OpenAI's error type, such as <c>invalid_request_error</c>.</param>
/// <param name="Param">The request field at fault, when known.</param>
/// <param name="Code">The Workers AI error code, as a string (OpenAI's <c>code</c> is a string).</param>
public sealed record OpenAiError(string Message, string Type, string? Param, string Code);
