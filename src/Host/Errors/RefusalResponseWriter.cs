using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Ember.Host.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;

namespace Ember.Host.Errors;

/// <summary>
/// A connection's output as Kestrel writes it, passed straight to the transport, until <see cref="Arm"/>: then what
/// Kestrel writes up to its next flush is held, and if it is Kestrel's refusal (an HTTP/1.x status line and headers
/// with <c>Content-Length: 0</c>, nothing after them) it goes out as the error's status, the same headers, a JSON
/// content type, the body's length and a <c>cf-ray</c>, then the body. Anything else goes out as it was written.
/// </summary>
/// <remarks>
/// Kestrel writes a connection's output from one thread at a time, and arms the writer on the thread that then writes
/// the refusal; not safe for other concurrent use.
/// </remarks>
internal sealed class RefusalResponseWriter(PipeWriter inner) : PipeWriter
{
    private static readonly byte[] EmptyBody = "\r\nContent-Length: 0\r\n"u8.ToArray();
    private static readonly byte[] EndOfHead = "\r\n\r\n"u8.ToArray();

    private ArrayBufferWriter<byte>? _held;
    private bool _leasedFromHeld;
    private int _status;
    private byte[] _body = [];

    /// <inheritdoc/>
    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    /// <inheritdoc/>
    public override long UnflushedBytes => inner.UnflushedBytes + (_held?.WrittenCount ?? 0);

    /// <summary>Holds what is written up to the next flush, to answer it with <paramref name="status"/> and <paramref name="body"/> if it is Kestrel's refusal.</summary>
    /// <param name="status">The status to answer with.</param>
    /// <param name="body">The JSON body.</param>
    public void Arm(int status, byte[] body)
    {
        _status = status;
        _body = body;
        _held ??= new ArrayBufferWriter<byte>(256);
    }

    /// <inheritdoc/>
    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        _leasedFromHeld = _held is not null;
        return _held is null ? inner.GetMemory(sizeHint) : _held.GetMemory(sizeHint);
    }

    /// <inheritdoc/>
    public override Span<byte> GetSpan(int sizeHint = 0)
    {
        _leasedFromHeld = _held is not null;
        return _held is null ? inner.GetSpan(sizeHint) : _held.GetSpan(sizeHint);
    }

    /// <inheritdoc/>
    public override void Advance(int bytes)
    {
        if (_leasedFromHeld && _held is not null)
        {
            _held.Advance(bytes);
        }
        else
        {
            inner.Advance(bytes);
        }
    }

    /// <inheritdoc/>
    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        Release();
        return inner.FlushAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    /// <inheritdoc/>
    public override void Complete(Exception? exception = null)
    {
        Release();
        inner.Complete(exception);
    }

    /// <inheritdoc/>
    public override ValueTask CompleteAsync(Exception? exception = null)
    {
        Release();
        return inner.CompleteAsync(exception);
    }

    /// <summary>Rewrites Kestrel's refusal as the error, or, if <paramref name="written"/> is not one, returns <see langword="null"/>.</summary>
    /// <param name="written">What Kestrel wrote after the refusal.</param>
    /// <param name="status">The status to answer with.</param>
    /// <param name="body">The JSON body.</param>
    /// <returns>The response to send instead.</returns>
    internal static byte[]? Rewrite(ReadOnlySpan<byte> written, int status, byte[] body)
    {
        int end = written.IndexOf(EndOfHead);
        if (!written.StartsWith("HTTP/1."u8) || end < 0 || end != written.Length - EndOfHead.Length || written.IndexOf(EmptyBody) < 0)
        {
            return null;
        }

        string[] lines = Encoding.ASCII.GetString(written[..end]).Split("\r\n");
        var head = new StringBuilder(256)
            .Append(lines[0].AsSpan(0, "HTTP/1.x".Length)).Append(' ')
            .Append(status.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(' ')
            .Append(ReasonPhrases.GetReasonPhrase(status)).Append("\r\n");
        foreach (string line in lines.Skip(1).Where(line => !line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)))
        {
            head.Append(line).Append("\r\n");
        }

        head.Append("Content-Type: application/json; charset=utf-8\r\n")
            .Append("Content-Length: ").Append(body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append("\r\n")
            .Append(RayIdMiddleware.HeaderName).Append(": ").Append(RayIdMiddleware.NewRayId()).Append("\r\n\r\n");
        return [.. Encoding.ASCII.GetBytes(head.ToString()), .. body];
    }

    private void Release()
    {
        if (_held is null)
        {
            return;
        }

        ReadOnlySpan<byte> written = _held.WrittenSpan;
        _held = null;
        _leasedFromHeld = false;
        if (Rewrite(written, _status, _body) is byte[] answer)
        {
            inner.Write(answer);
        }
        else
        {
            inner.Write(written);
        }
    }
}
