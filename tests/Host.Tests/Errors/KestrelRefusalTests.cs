using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Ember.Host.Tests.Infrastructure;
using Ember.Models.Catalog;

namespace Ember.Host.Tests.Errors;

/// <summary>
/// Requests that Kestrel used to refuse before any middleware ran, with an empty body, sent as raw bytes so that no
/// client library tidies them first: they are now answered in the API's own error shape.
/// </summary>
[Collection(ScriptedHostCollectionDefinition.Name)]
public sealed class KestrelRefusalTests(ScriptedHostFixture host)
{
    [Theory]
    [InlineData("/client/v4/accounts/acct123/ai/run/@ember/tiny-llama", "\"code\":10000")]
    [InlineData("/client/v4/accounts/acct123/ai/v1/chat/completions", "\"type\":\"authentication_error\"")]
    public async Task Post_AuthorizationWithALatin1Byte_Returns401InTheApisShape(string path, string shape)
    {
        byte[] body = Encoding.UTF8.GetBytes("""{"prompt":"Hi","model":"@ember/tiny-llama","messages":[{"role":"user","content":"Hi"}]}""");
        byte[] request = [
            .. Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\nAuthorization: Bearer caf"),
            0xE9,
            .. Encoding.ASCII.GetBytes("\r\n\r\n"),
            .. body,
        ];

        (int status, string text) = await SendRawAsync(request);

        Assert.Equal(401, status);
        Assert.Contains(shape, text, StringComparison.Ordinal);
        using JsonDocument json = JsonDocument.Parse(text);
    }

    [Fact]
    public async Task Post_ModelIdOf10000Characters_IsAnUnknownModelInTheEnvelope()
    {
        string model = "@cf/" + new string('a', 10_000);
        byte[] request = Encoding.ASCII.GetBytes(
            $"POST /client/v4/accounts/acct123/ai/run/{model} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {HostFixture.Token}\r\nContent-Type: application/json\r\nContent-Length: 15\r\nConnection: close\r\n\r\n{{\"prompt\":\"Hi\"}}");

        (int status, string text) = await SendRawAsync(request);

        Assert.Equal(400, status);
        Assert.Contains("\"code\":5007", text, StringComparison.Ordinal);
        Assert.Contains("\"success\":false", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_RequestLineOverItsLimit_IsKestrels414()
    {
        string model = "@cf/" + new string('a', Ember.Host.Configuration.EmberHostOptions.MaxRequestLineBytes);
        byte[] request = Encoding.ASCII.GetBytes($"POST /client/v4/accounts/acct123/ai/run/{model} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

        (int status, _) = await SendRawAsync(request);

        Assert.Equal(414, status);
    }

    [Fact]
    public async Task Post_RouteInUpperCase_IsServedAsTheLowerCaseRoute()
    {
        byte[] request = Encoding.ASCII.GetBytes(
            $"POST /client/v4/accounts/acct123/ai/RUN/{ModelCatalog.TinyLlamaId} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {HostFixture.Token}\r\nContent-Type: application/json\r\nContent-Length: 15\r\nConnection: close\r\n\r\n{{\"prompt\":\"Hi\"}}");

        (int status, string text) = await SendRawAsync(request);

        Assert.Equal(200, status);
        Assert.Contains("\"success\":true", text, StringComparison.Ordinal);
    }

    /// <summary>Sends <paramref name="request"/> as it is and returns the status and the (de-chunked) body.</summary>
    private async Task<(int Status, string Body)> SendRawAsync(byte[] request)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(host.BaseAddress.Host, host.BaseAddress.Port);
        NetworkStream stream = tcp.GetStream();
        await stream.WriteAsync(request);
        using var reader = new MemoryStream();
        await stream.CopyToAsync(reader);
        string response = Encoding.Latin1.GetString(reader.ToArray());
        int status = int.Parse(response.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture);
        int split = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        string head = response[..split];
        string body = response[(split + 4)..];
        if (head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
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

            body = joined.ToString();
        }

        return (status, body);
    }
}
