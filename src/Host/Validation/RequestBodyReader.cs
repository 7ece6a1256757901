using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using Ember.Host.Errors;
using Ember.Host.Json;
using Microsoft.AspNetCore.Http.Features;

namespace Ember.Host.Validation;

/// <summary>
/// Reads a request body under the configured size limit and parses it as JSON: valid UTF-8, at most
/// <see cref="HostJson.MaxDepth"/> levels deep, no duplicate property names.
/// </summary>
/// <remarks>Stateless and thread-safe. The content type is not checked: <c>curl -d</c> sends JSON as a form.</remarks>
public static class RequestBodyReader
{
    /// <summary>Reads and parses the body.</summary>
    /// <param name="request">The request.</param>
    /// <param name="maxBytes">The largest body accepted.</param>
    /// <param name="cancellationToken">Abandons the read.</param>
    /// <returns>The parsed document (the caller disposes it), or a 413, 3003 or 5006 error.</returns>
    public static async Task<Parsed<JsonDocument>> ReadJsonAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        LetKestrelDrain(request);
        if (request.ContentLength > maxBytes)
        {
            return ErrorMapping.TooLarge(maxBytes);
        }

        var buffer = new ArrayBufferWriter<byte>(request.ContentLength is > 0 and var length ? (int)length : 4096);
        Stream body = request.Body;
        try
        {
            while (true)
            {
                Memory<byte> memory = buffer.GetMemory(4096);
                int read = await body.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                buffer.Advance(read);
                if (buffer.WrittenCount > maxBytes)
                {
                    return ErrorMapping.TooLarge(maxBytes);
                }
            }
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // Kestrel's own limit (set to the same value) tripped first.
            return ErrorMapping.TooLarge(maxBytes);
        }

        return Parse(buffer.WrittenMemory);
    }

    /// <summary>
    /// Lifts Kestrel's own body limit for this request: the reader enforces the same limit itself, and after a
    /// 413 Kestrel then drains what the client still sends (for at most its fixed 5 s) instead of resetting the
    /// connection, so a client that sends a large body without <c>Expect: 100-continue</c> reads the 413 rather
    /// than a broken pipe.
    /// </summary>
    internal static void LetKestrelDrain(HttpRequest request)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }
    }

    /// <summary>Parses a body already read.</summary>
    /// <param name="utf8">The body's bytes.</param>
    /// <returns>The parsed document (the caller disposes it), or a 3003 or 5006 error.</returns>
    public static Parsed<JsonDocument> Parse(ReadOnlyMemory<byte> utf8)
    {
        ReadOnlySpan<byte> span = utf8.Span;
        if (IsBlank(span))
        {
            return ErrorMapping.MissingBody();
        }

        if (!Utf8.IsValid(span))
        {
            return ErrorMapping.InvalidInput("body", "is not valid UTF-8");
        }

        try
        {
            return new Parsed<JsonDocument>(JsonDocument.Parse(utf8, HostJson.DocumentOptions));
        }
        catch (JsonException exception)
        {
            return ErrorMapping.InvalidInput("body", "is not valid JSON: " + Describe(exception));
        }
    }

    private static bool IsBlank(ReadOnlySpan<byte> span)
    {
        foreach (byte b in span)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return false;
            }
        }

        return true;
    }

    private static string Describe(JsonException exception)
    {
        // The reader's message ends with its own "LineNumber: … | BytePositionInLine: …" (0-based); restate it 1-based.
        string message = exception.Message;
        int position = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (position > 0)
        {
            message = message[..position];
        }

        return exception.LineNumber is long line && exception.BytePositionInLine is long column
            ? $"{message.TrimEnd()} (line {line + 1}, byte {column + 1})"
            : message.TrimEnd();
    }
}
