using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Features;

namespace Ember.Host.Streaming;

/// <summary>
/// Writes server-sent events: <c>data: &lt;json&gt;\n\n</c> per event, flushed one by one, and the closing
/// <c>data: [DONE]\n\n</c>.
/// </summary>
/// <remarks>
/// The response starts (status 200, <c>text/event-stream</c>) only with the first event, so a failure found
/// before any output still gets a status code and the JSON envelope. One writer per response; not thread-safe.
/// </remarks>
public sealed class SseWriter
{
    /// <summary>The content type of an event stream.</summary>
    public const string ContentType = "text/event-stream";

    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    private readonly HttpContext _context;

    /// <summary>Creates a writer for a response.</summary>
    /// <param name="context">The request whose response is the stream.</param>
    public SseWriter(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
    }

    /// <summary>Gets a value indicating whether the first event was written, so the status can no longer change.</summary>
    public bool Started { get; private set; }

    /// <summary>Writes one event and flushes it.</summary>
    /// <typeparam name="T">The event's wire type.</typeparam>
    /// <param name="value">The event.</param>
    /// <param name="typeInfo">Its JSON metadata.</param>
    /// <param name="cancellationToken">Abandons the write.</param>
    /// <returns>A task that completes when the event is flushed.</returns>
    public async Task WriteAsync<T>(T value, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);
        Start();
        var body = _context.Response.BodyWriter;
        body.Write(DataPrefix);
        body.Write(json);
        body.Write(EventEnd);
        await body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes <c>data: [DONE]</c> and flushes it.</summary>
    /// <param name="cancellationToken">Abandons the write.</param>
    /// <returns>A task that completes when the event is flushed.</returns>
    public async Task WriteDoneAsync(CancellationToken cancellationToken)
    {
        Start();
        await _context.Response.BodyWriter.WriteAsync(Done, cancellationToken).ConfigureAwait(false);
    }

    private void Start()
    {
        if (Started)
        {
            return;
        }

        Started = true;
        HttpResponse response = _context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache";
        _context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }
}
