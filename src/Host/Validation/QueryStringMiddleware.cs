using System.Text.Unicode;
using Ember.Host.Errors;

namespace Ember.Host.Validation;

/// <summary>
/// Refuses a query string that is not percent-encoded UTF-8 without control characters (a <c>%</c> not followed by two
/// hex digits, <c>%00</c>–<c>%1F</c> or <c>%7F</c>, raw or encoded, or bytes that are not UTF-8 once decoded) with 400
/// (5006, <c>query: …</c>), before authentication and routing, as Kestrel refuses such a path.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public sealed class QueryStringMiddleware
{
    /// <summary>The rule a refused query breaks, as the error message gives it.</summary>
    public const string Rule = "must be percent-encoded UTF-8 without control characters (%00-%1F, %7F)";

    private readonly RequestDelegate _next;

    /// <summary>Creates the middleware.</summary>
    /// <param name="next">The rest of the pipeline.</param>
    public QueryStringMiddleware(RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(next);
        _next = next;
    }

    /// <summary>Refuses a malformed query string, or runs the rest of the pipeline.</summary>
    /// <param name="context">The request.</param>
    /// <returns>A task that completes when the request is handled.</returns>
    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return IsWellFormed(context.Request.QueryString.Value)
            ? _next(context)
            : ApiErrorWriter.WriteAsync(context, ErrorMapping.InvalidInput("query", Rule));
    }

    /// <summary>Tells whether a raw query string (as sent, with its <c>?</c>) is percent-encoded UTF-8 without control characters.</summary>
    /// <param name="query">The query string; <see langword="null"/> or empty is well formed.</param>
    /// <returns><see langword="false"/> for a bad escape, a control character (raw or encoded), or bytes that are not UTF-8.</returns>
    public static bool IsWellFormed(string? query)
    {
        if (string.IsNullOrEmpty(query))
        {
            return true;
        }

        bool escaped = false;
        foreach (char c in query)
        {
            if (c < 0x20 || c >= 0x7F)
            {
                return false;
            }

            escaped |= c == '%';
        }

        if (!escaped)
        {
            return true;
        }

        Span<byte> decoded = query.Length <= 1024 ? stackalloc byte[query.Length] : new byte[query.Length];
        int length = 0;
        for (int i = 0; i < query.Length; i++)
        {
            if (query[i] != '%')
            {
                decoded[length++] = (byte)query[i];
                continue;
            }

            if (i + 2 >= query.Length || !char.IsAsciiHexDigit(query[i + 1]) || !char.IsAsciiHexDigit(query[i + 2]))
            {
                return false;
            }

            byte value = (byte)((HexValue(query[i + 1]) << 4) | HexValue(query[i + 2]));
            if (value < 0x20 || value == 0x7F)
            {
                return false;
            }

            decoded[length++] = value;
            i += 2;
        }

        return Utf8.IsValid(decoded[..length]);
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
