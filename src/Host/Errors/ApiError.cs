namespace Ember.Host.Errors;

/// <summary>
/// A failed request as the client sees it: the HTTP status, the Workers AI error code and the message.
/// Made only by <see cref="ErrorMapping"/>, so that every status/code pair comes from one table.
/// </summary>
/// <param name="Status">The HTTP status code.</param>
/// <param name="Code">The Workers AI error code.</param>
/// <param name="Message">What went wrong, safe to show to the client.</param>
/// <param name="Param">The request field at fault, when one is (OpenAI's <c>param</c>).</param>
public sealed record ApiError(int Status, int Code, string Message, string? Param = null);
