using System.Globalization;
using Ember.Host.Configuration;
using Ember.Runtime.Generation;
using Microsoft.AspNetCore.Http;

namespace Ember.Host.Errors;

/// <summary>
/// The one table from failures to (HTTP status, Workers AI code): the runtime's <see cref="AiErrorKind"/>s and
/// the failures the host finds itself.
/// </summary>
/// <remarks>
/// <para>
/// Codes follow the Workers AI error table. Choices where the table gives no answer:
/// a model in the catalog but not installed here is 5007/400 (the client cannot fix it by retrying, so not 503),
/// with a message saying it is not installed; a model limit exceeded (prompt plus <c>max_tokens</c> over the
/// context window) is 5006/400, the schema-validation code, since the input must change; a runtime failure is
/// 3043/500 with a generic message (the cause is logged, never sent); a batch store whose disk is full is 3040/507
/// (Insufficient Storage: the server's, not the request's, and over once space is freed), with a message naming the
/// batch store and its disk but not the file.
/// </para>
/// <para>Stateless and thread-safe.</para>
/// </remarks>
public static partial class ErrorMapping
{
    /// <summary>Input fails the schema (5006).</summary>
    public const int InvalidInputCode = 5006;

    /// <summary>No such model (5007).</summary>
    public const int NoSuchModelCode = 5007;

    /// <summary>Request is missing its body (3003).</summary>
    public const int IncompleteRequestCode = 3003;

    /// <summary>Request too large (3006).</summary>
    public const int RequestTooLargeCode = 3006;

    /// <summary>Request timeout (3007).</summary>
    public const int TimeoutCode = 3007;

    /// <summary>Request aborted (3008).</summary>
    public const int AbortedCode = 3008;

    /// <summary>Out of capacity (3040).</summary>
    public const int OutOfCapacityCode = 3040;

    /// <summary>Internal server error (3043).</summary>
    public const int InternalErrorCode = 3043;

    /// <summary>Method not allowed (7001).</summary>
    public const int MethodNotAllowedCode = 7001;

    /// <summary>No route (7003).</summary>
    public const int NoRouteCode = 7003;

    /// <summary>Authentication error (10000).</summary>
    public const int AuthenticationCode = 10000;

    /// <summary>The message sent for every internal failure.</summary>
    public const string InternalErrorMessage = "Internal server error";

    /// <summary>Maps a runtime failure.</summary>
    /// <param name="exception">The runtime's exception.</param>
    /// <returns>The client-facing error; a <see cref="AiErrorKind.RuntimeFailure"/>'s message is replaced by a generic one.</returns>
    public static ApiError FromRuntime(AiTextGenerationException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Kind switch
        {
            AiErrorKind.BadInput => new(StatusCodes.Status400BadRequest, InvalidInputCode, exception.Message, FieldOf(exception.Message)),
            AiErrorKind.ModelNotFound => new(StatusCodes.Status400BadRequest, NoSuchModelCode, exception.Message, "model"),
            AiErrorKind.ModelNotInstalled => new(StatusCodes.Status400BadRequest, NoSuchModelCode, exception.Message, "model"),
            AiErrorKind.LimitExceeded => new(StatusCodes.Status400BadRequest, InvalidInputCode, exception.Message),
            AiErrorKind.Busy => new(StatusCodes.Status429TooManyRequests, OutOfCapacityCode, AiTextGenerationException.CapacityExceededMessage),
            AiErrorKind.Timeout => new(StatusCodes.Status408RequestTimeout, TimeoutCode, "Request timeout"),
            AiErrorKind.Cancelled => new(StatusCodes.Status408RequestTimeout, AbortedCode, "Request was aborted"),
            _ => Internal(),
        };
    }

    /// <summary>
    /// The field a runtime refusal names, as the message's lead (<c>response_format: …</c>,
    /// <c>tools[1].function.parameters (schema /properties/x): …</c>); <see langword="null"/> when it names none.
    /// </summary>
    private static string? FieldOf(string message) => RuntimeField().Match(message) is { Success: true } match ? match.Groups[1].Value : null;

    [System.Text.RegularExpressions.GeneratedRegex(@"^([a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)*(?: \(schema [^)]*\))?): ")]
    private static partial System.Text.RegularExpressions.Regex RuntimeField();

    /// <summary>The body breaks the schema: 5006/400, the message naming the field and the rule.</summary>
    /// <param name="field">The field's path, such as <c>max_tokens</c> or <c>messages[0].role</c>; <c>body</c> for the whole body.</param>
    /// <param name="rule">The rule broken, such as <c>must be an integer from 1 to 1800</c>.</param>
    public static ApiError InvalidInput(string field, string rule) =>
        new(StatusCodes.Status400BadRequest, InvalidInputCode, field + ": " + rule, field);

    /// <summary>The model id is not in the catalog: 5007/400.</summary>
    /// <param name="modelId">The id asked for.</param>
    public static ApiError NoSuchModel(string modelId) =>
        new(StatusCodes.Status400BadRequest, NoSuchModelCode, $"No such model {modelId} or task", "model");

    /// <summary>The request has no body: 3003/400.</summary>
    public static ApiError MissingBody() =>
        new(StatusCodes.Status400BadRequest, IncompleteRequestCode, "Request is missing headers or body: body");

    /// <summary>The body is over the configured limit: 3006/413.</summary>
    /// <param name="limitBytes">The limit, in bytes.</param>
    public static ApiError TooLarge(long limitBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, RequestTooLargeCode,
            string.Create(CultureInfo.InvariantCulture, $"Request is too large: the body may be at most {limitBytes} bytes"));

    /// <summary>No route matches the path: 7003/404.</summary>
    public static ApiError NoRoute() =>
        new(StatusCodes.Status404NotFound, NoRouteCode, "No route for that URI");

    /// <summary>The route exists but not for this method: 7001/405.</summary>
    public static ApiError MethodNotAllowed() =>
        new(StatusCodes.Status405MethodNotAllowed, MethodNotAllowedCode, "Method not allowed");

    /// <summary>No valid bearer token: 10000/401.</summary>
    public static ApiError Unauthorized() =>
        new(StatusCodes.Status401Unauthorized, AuthenticationCode, "Authentication error");

    /// <summary>
    /// A request Kestrel refused while reading its request line or headers, before any middleware ran: its status
    /// kept, with the code of the same failure found by Ember (405: 7001; 408: 3007; 411: 3003; 413, 414, 431: 3006;
    /// every other, such as a malformed request line or header: 5006).
    /// </summary>
    /// <param name="status">The status Kestrel chose.</param>
    /// <param name="maxBodyBytes">The body limit, for the 413 message.</param>
    public static ApiError FromKestrelRefusal(int status, long maxBodyBytes) => status switch
    {
        StatusCodes.Status405MethodNotAllowed => MethodNotAllowed(),
        StatusCodes.Status408RequestTimeout => new(status, TimeoutCode, "Request timeout: the request line and headers did not arrive in time"),
        StatusCodes.Status411LengthRequired => new(status, IncompleteRequestCode, "Request is missing headers or body: Content-Length"),
        StatusCodes.Status413PayloadTooLarge => TooLarge(maxBodyBytes),
        StatusCodes.Status414UriTooLong => new(status, RequestTooLargeCode,
            string.Create(CultureInfo.InvariantCulture, $"Request is too large: the request line may be at most {EmberHostOptions.MaxRequestLineBytes} bytes")),
        StatusCodes.Status431RequestHeaderFieldsTooLarge => new(status, RequestTooLargeCode, "Request is too large: the headers may be at most 32 KiB and 100 fields"),
        _ => new(status, InvalidInputCode,
            "request: the request line or a header is malformed (the target must be ASCII without a NUL, raw or as %00; fields must be name: value)", "request"),
    };

    /// <summary>An unexpected failure: 3043/500 with a generic message.</summary>
    public static ApiError Internal() =>
        new(StatusCodes.Status500InternalServerError, InternalErrorCode, InternalErrorMessage);

    /// <summary>The batch store has no space left on its disk: 3040/507, the message naming the store and its disk.</summary>
    public static ApiError BatchStoreFull() =>
        new(StatusCodes.Status507InsufficientStorage, OutOfCapacityCode, BatchStoreFullMessage);

    /// <summary>The message of <see cref="BatchStoreFull"/>.</summary>
    public const string BatchStoreFullMessage =
        "Batch store is full: the disk of the batch database has no space left; interactive requests are still served, and the batch API answers again once space is freed";

    /// <summary>The OpenAI error <c>type</c> for a status.</summary>
    /// <param name="status">The HTTP status.</param>
    /// <returns><c>invalid_request_error</c>, <c>authentication_error</c>, <c>not_found_error</c>, <c>rate_limit_error</c>, <c>timeout_error</c> or <c>server_error</c>.</returns>
    public static string OpenAiType(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => "authentication_error",
        StatusCodes.Status404NotFound => "not_found_error",
        StatusCodes.Status408RequestTimeout => "timeout_error",
        StatusCodes.Status429TooManyRequests => "rate_limit_error",
        >= 500 => "server_error",
        _ => "invalid_request_error",
    };
}
