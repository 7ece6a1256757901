using System.IO.Pipelines;
using System.Text;
using Ember.Host.Errors;

namespace Ember.Host.Tests.Errors;

/// <summary>
/// The writer around each connection's output (see <c>KestrelRefusalEnvelope</c>): it passes everything through
/// until armed, then answers Kestrel's refusal in the envelope, and passes on as they are the bytes that are not one
/// (a response the app had started, HTTP/2 frames, TLS records).
/// </summary>
public sealed class RefusalResponseWriterTests
{
    private const string KestrelRefusal = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\nDate: Sat, 05 Dec 2026 10:00:00 GMT\r\nServer: Kestrel\r\n\r\n";
    private static readonly byte[] Body = """{"result":null,"success":false,"errors":[{"code":5006,"message":"m"}],"messages":[]}"""u8.ToArray();

    [Fact]
    public async Task Flush_NotArmed_PassesTheBytesThrough()
    {
        var pipe = new Pipe();
        var writer = new RefusalResponseWriter(pipe.Writer);

        await writer.WriteAsync(Encoding.ASCII.GetBytes(KestrelRefusal));
        await writer.CompleteAsync();

        Assert.Equal(KestrelRefusal, await ReadAllAsync(pipe.Reader));
    }

    [Fact]
    public async Task Flush_ArmedThenKestrelsRefusal_WritesTheEnvelopeWithItsHeaders()
    {
        var pipe = new Pipe();
        var writer = new RefusalResponseWriter(pipe.Writer);
        await writer.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"u8.ToArray());

        writer.Arm(404, Body);
        await writer.WriteAsync(Encoding.ASCII.GetBytes(KestrelRefusal));
        await writer.CompleteAsync();

        string written = await ReadAllAsync(pipe.Reader);
        Assert.StartsWith("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 404 Not Found\r\nConnection: close\r\nDate: Sat, 05 Dec 2026 10:00:00 GMT\r\nServer: Kestrel\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: " + Body.Length + "\r\ncf-ray: ", written, StringComparison.Ordinal);
        Assert.EndsWith("-EMB\r\n\r\n" + Encoding.UTF8.GetString(Body), written, StringComparison.Ordinal);
        Assert.DoesNotContain("Content-Length: 0", written, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")]
    [InlineData("\0\0\u0004\u0008\0\0\0\0\0")]
    [InlineData("\u0017\u0003\u0003\0\u0010encryptedbytes..")]
    [InlineData("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\n\r\n")]
    public async Task Flush_ArmedThenAnythingElse_PassesItThroughUnchanged(string other)
    {
        var pipe = new Pipe();
        var writer = new RefusalResponseWriter(pipe.Writer);

        writer.Arm(400, Body);
        await writer.WriteAsync(Encoding.Latin1.GetBytes(other));
        await writer.WriteAsync("after"u8.ToArray());
        await writer.CompleteAsync();

        Assert.Equal(other + "after", await ReadAllAsync(pipe.Reader));
    }

    [Fact]
    public async Task Complete_ArmedWithoutAFlush_StillWritesTheEnvelope()
    {
        var pipe = new Pipe();
        var writer = new RefusalResponseWriter(pipe.Writer);
        writer.Arm(400, Body);

        Encoding.ASCII.GetBytes(KestrelRefusal).CopyTo(writer.GetSpan(KestrelRefusal.Length));
        writer.Advance(KestrelRefusal.Length);
        await writer.CompleteAsync();

        Assert.EndsWith(Encoding.UTF8.GetString(Body), await ReadAllAsync(pipe.Reader), StringComparison.Ordinal);
    }

    private static async Task<string> ReadAllAsync(PipeReader reader)
    {
        using var stream = new MemoryStream();
        await reader.CopyToAsync(stream);
        return Encoding.Latin1.GetString(stream.ToArray());
    }
}
