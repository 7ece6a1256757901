using System.IO.Pipelines;
using System.Text;
using Ember.Host.Json;
using Ember.Host.Streaming;
using Ember.Host.Wire;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Ember.Host.Tests.Streaming;

/// <summary>
/// The event stream's bytes and headers on a <see cref="DefaultHttpContext"/> whose body is a
/// <see cref="MemoryStream"/>. Its body writer only reaches the stream when flushed, so bytes seen in the stream
/// after a call prove that the call flushed them.
/// </summary>
public sealed class SseWriterTests
{
    private static (DefaultHttpContext Context, MemoryStream Body, RecordingBodyFeature Feature) Response()
    {
        var body = new MemoryStream();
        var context = new DefaultHttpContext();
        var feature = new RecordingBodyFeature(body);
        context.Features.Set<IHttpResponseBodyFeature>(feature);
        return (context, body, feature);
    }

    private static string Text(MemoryStream body) => Encoding.UTF8.GetString(body.ToArray());

    [Fact]
    public void Constructor_NullContext_ThrowsArgumentNull()
    {
        var error = Assert.Throws<ArgumentNullException>(() => new SseWriter(null!));

        Assert.Equal("context", error.ParamName);
    }

    [Fact]
    public void Started_NothingWritten_IsFalseAndTheResponseIsUntouched()
    {
        var (context, body, feature) = Response();
        context.Response.StatusCode = StatusCodes.Status404NotFound;

        var writer = new SseWriter(context);

        Assert.False(writer.Started);
        Assert.Equal(StatusCodes.Status404NotFound, context.Response.StatusCode);
        Assert.Null(context.Response.ContentType);
        Assert.Equal(0, body.Length);
        Assert.Equal(0, feature.DisableBufferingCalls);
    }

    [Fact]
    public async Task WriteAsync_OneEvent_WritesDataLineAndBlankLineAndFlushesThem()
    {
        var (context, body, _) = Response();
        var writer = new SseWriter(context);

        await writer.WriteAsync(new StreamPiece("Hi"), HostJson.Context.StreamPiece, CancellationToken.None);

        Assert.Equal("data: {\"response\":\"Hi\"}\n\n", Text(body));
    }

    [Fact]
    public async Task WriteAsync_FirstEvent_StartsTheResponseAsAnUnbufferedEventStream()
    {
        var (context, _, feature) = Response();
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        var writer = new SseWriter(context);

        await writer.WriteAsync(new StreamPiece("Hi"), HostJson.Context.StreamPiece, CancellationToken.None);

        Assert.True(writer.Started);
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Equal("text/event-stream", context.Response.ContentType);
        Assert.Equal(SseWriter.ContentType, context.Response.ContentType);
        Assert.Equal("no-cache", context.Response.Headers.CacheControl.ToString());
        Assert.Equal(1, feature.DisableBufferingCalls);
    }

    [Fact]
    public async Task WriteAsync_LaterEvents_DoNotStartTheResponseAgain()
    {
        var (context, _, feature) = Response();
        var writer = new SseWriter(context);
        await writer.WriteAsync(new StreamPiece("a"), HostJson.Context.StreamPiece, CancellationToken.None);
        context.Response.ContentType = "text/plain";

        await writer.WriteAsync(new StreamPiece("b"), HostJson.Context.StreamPiece, CancellationToken.None);
        await writer.WriteDoneAsync(CancellationToken.None);

        Assert.Equal("text/plain", context.Response.ContentType);
        Assert.Equal(1, feature.DisableBufferingCalls);
    }

    [Fact]
    public async Task WriteAsync_EachEvent_IsFlushedBeforeTheCallReturns()
    {
        var (context, body, _) = Response();
        var writer = new SseWriter(context);

        await writer.WriteAsync(new StreamPiece("one"), HostJson.Context.StreamPiece, CancellationToken.None);
        string afterFirst = Text(body);
        await writer.WriteAsync(new StreamPiece("two"), HostJson.Context.StreamPiece, CancellationToken.None);

        Assert.Equal("data: {\"response\":\"one\"}\n\n", afterFirst);
        Assert.Equal("data: {\"response\":\"one\"}\n\ndata: {\"response\":\"two\"}\n\n", Text(body));
    }

    [Fact]
    public async Task WriteAsync_TextWithNewlinesAndQuotes_StaysOneDataLine()
    {
        var (context, body, _) = Response();
        var writer = new SseWriter(context);

        await writer.WriteAsync(new StreamPiece("a\n\nb \"c\"\r"), HostJson.Context.StreamPiece, CancellationToken.None);

        Assert.Equal("data: {\"response\":\"a\\n\\nb \\\"c\\\"\\r\"}\n\n", Text(body));
    }

    [Fact]
    public async Task WriteAsync_NonAsciiText_WritesTheSerializersUtf8BytesAsTheyAre()
    {
        var (context, body, _) = Response();
        var writer = new SseWriter(context);

        await writer.WriteAsync(new StreamPiece("café"), HostJson.Context.StreamPiece, CancellationToken.None);

        Assert.Equal("data: {\"response\":\"café\"}\n\n"u8.ToArray(), body.ToArray());
    }

    [Fact]
    public async Task WriteAsync_OtherWireTypes_WriteTheirJson()
    {
        var (context, body, _) = Response();
        var writer = new SseWriter(context);

        await writer.WriteAsync(new StreamFinal(new WireUsage(3, 2, 5)), HostJson.Context.StreamFinal, CancellationToken.None);
        await writer.WriteAsync(new StreamError(new ApiErrorItem(3040, "busy")), HostJson.Context.StreamError, CancellationToken.None);

        Assert.Equal(
            "data: {\"response\":\"\",\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5,\"prompt_tokens_details\":{\"cached_tokens\":0}}}\n\n"
                + "data: {\"error\":{\"code\":3040,\"message\":\"busy\"}}\n\n",
            Text(body));
    }

    [Fact]
    public async Task WriteAsync_NullTypeInfo_ThrowsArgumentNullWithoutStarting()
    {
        var (context, body, _) = Response();
        var writer = new SseWriter(context);

        var error = await Assert.ThrowsAsync<ArgumentNullException>(() => writer.WriteAsync(new StreamPiece("x"), null!, CancellationToken.None));

        Assert.Equal("typeInfo", error.ParamName);
        Assert.False(writer.Started);
        Assert.Equal(0, body.Length);
    }

    [Fact]
    public async Task WriteAsync_Cancelled_ThrowsAndTheResponseHasStarted()
    {
        var (context, body, _) = Response();
        var writer = new SseWriter(context);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => writer.WriteAsync(new StreamPiece("x"), HostJson.Context.StreamPiece, new CancellationToken(canceled: true)));

        Assert.True(writer.Started);
        Assert.Equal(0, body.Length);
    }

    [Fact]
    public async Task WriteDoneAsync_AfterEvents_AppendsTheDoneEventAndFlushesIt()
    {
        var (context, body, _) = Response();
        var writer = new SseWriter(context);
        await writer.WriteAsync(new StreamPiece("Hi"), HostJson.Context.StreamPiece, CancellationToken.None);

        await writer.WriteDoneAsync(CancellationToken.None);

        Assert.Equal("data: {\"response\":\"Hi\"}\n\ndata: [DONE]\n\n", Text(body));
    }

    [Fact]
    public async Task WriteDoneAsync_FirstWrite_StartsTheResponseAndWritesOnlyDone()
    {
        var (context, body, feature) = Response();
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        var writer = new SseWriter(context);

        await writer.WriteDoneAsync(CancellationToken.None);

        Assert.True(writer.Started);
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Equal("text/event-stream", context.Response.ContentType);
        Assert.Equal("no-cache", context.Response.Headers.CacheControl.ToString());
        Assert.Equal(1, feature.DisableBufferingCalls);
        Assert.Equal("data: [DONE]\n\n", Text(body));
    }

    /// <summary>The default stream body feature, counting the calls that turn buffering off.</summary>
    private sealed class RecordingBodyFeature(Stream body) : IHttpResponseBodyFeature
    {
        private readonly StreamResponseBodyFeature _inner = new(body);

        public int DisableBufferingCalls { get; private set; }

        public Stream Stream => _inner.Stream;

        public PipeWriter Writer => _inner.Writer;

        public void DisableBuffering()
        {
            DisableBufferingCalls++;
            _inner.DisableBuffering();
        }

        public Task StartAsync(CancellationToken cancellationToken = default) => _inner.StartAsync(cancellationToken);

        public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
            _inner.SendFileAsync(path, offset, count, cancellationToken);

        public Task CompleteAsync() => _inner.CompleteAsync();
    }
}
