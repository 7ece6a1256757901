using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Features;

namespace Ember.Host.Streaming;

/// <summary>
/// Writes server-sent events: <c>data: &lt;json&gt;\n\n</c> per event (after an <c>event: &lt;name&gt;</c> line where
/// the API names its events), flushed one by one, and the closing <c>data: [DONE]\n\n</c>.
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
    private static readonly byte[] EventPrefix = "event: "u8.ToArray();
    private static readonly byte[] LineEnd = "\n"u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    [ThreadStatic]
    private static Utf8JsonWriter? _jsonWriter;

    [ThreadStatic]
    private static System.Text.Encodings.Web.JavaScriptEncoder? _jsonEncoder;

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
    public Task WriteAsync<T>(T value, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken) =>
        WriteEventAsync(null, value, typeInfo, cancellationToken);

    /// <summary>Writes one event with a name (<c>event: &lt;name&gt;</c> before its data, as the Responses API's events are) and flushes it.</summary>
    /// <typeparam name="T">The event's wire type.</typeparam>
    /// <param name="name">The event's name, plain ASCII with no line break; <see langword="null"/>: none.</param>
    /// <param name="value">The event.</param>
    /// <param name="typeInfo">Its JSON metadata.</param>
    /// <param name="cancellationToken">Abandons the write.</param>
    /// <returns>A task that completes when the event is flushed.</returns>
    public async Task WriteEventAsync<T>(string? name, T value, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        Start();
        var body = _context.Response.BodyWriter;
        if (name is not null)
        {
            body.Write(EventPrefix);
            body.Write(System.Text.Encoding.ASCII.GetBytes(name));
            body.Write(LineEnd);
        }

        body.Write(DataPrefix);
        // Serialized straight into the response's pipe: no buffer of its own per event.
        var json = CachedJsonWriter(body, typeInfo.Options);
        JsonSerializer.Serialize(json, value, typeInfo);
        json.Flush();
        json.Reset(Stream.Null);
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

    /// <summary>A JSON writer of this thread's, reset onto <paramref name="output"/> (used synchronously, between two awaits).</summary>
    private static Utf8JsonWriter CachedJsonWriter(IBufferWriter<byte> output, JsonSerializerOptions options)
    {
        if (_jsonWriter is { } cached && ReferenceEquals(_jsonEncoder, options.Encoder))
        {
            cached.Reset(output);
            return cached;
        }

        _jsonEncoder = options.Encoder;
        _jsonWriter = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = options.Encoder, SkipValidation = true });
        return _jsonWriter;
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
