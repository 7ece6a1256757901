using System.Net.Sockets;
using System.Text;

namespace Ember.Host.Tests.Infrastructure;

/// <summary>Requests written byte for byte on a TCP connection, for what an HTTP client would refuse to send.</summary>
internal static class RawHttp
{
    /// <summary>Sends <paramref name="request"/> on a new connection to <paramref name="address"/> and reads until the server closes it.</summary>
    public static async Task<byte[]> SendAsync(Uri address, byte[] request)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        NetworkStream stream = tcp.GetStream();
        try
        {
            await stream.WriteAsync(request);
        }
        catch (IOException)
        {
            // The server may answer and close before it has read all of a request it refused.
        }

        using var reader = new MemoryStream();
        try
        {
            await stream.CopyToAsync(reader);
        }
        catch (IOException) when (reader.Length > 0)
        {
            // A reset after the answer, for the request bytes the server never read.
        }

        return reader.ToArray();
    }

    /// <summary>The body of a chunked response, its chunks joined.</summary>
    public static string Dechunk(string body)
    {
        var joined = new StringBuilder();
        while (body.Length > 0)
        {
            int end = body.IndexOf("\r\n", StringComparison.Ordinal);
            int size = Convert.ToInt32(body[..end], 16);
            if (size == 0)
            {
                break;
            }

            joined.Append(body, end + 2, size);
            body = body[(end + 2 + size + 2)..];
        }

        return joined.ToString();
    }
}
