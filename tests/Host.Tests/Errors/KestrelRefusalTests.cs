using System.Text;
using System.Text.Json;
using Ember.Host.Tests.Infrastructure;
using Ember.Models.Catalog;

namespace Ember.Host.Tests.Errors;

/// <summary>
/// Requests that Kestrel refuses before any middleware runs, or used to, sent as raw bytes so that no client library
/// tidies them first: each is answered in the API's own error shape (see <c>KestrelRefusalEnvelope</c>).
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

    /// <summary>
    /// Each request Kestrel refuses before any middleware runs, and what Ember answers: the status Kestrel chose, the
    /// code of the same failure found by Ember, in the API's shape, with a cf-ray. A NUL in the path is answered as
    /// routing answers any other byte there.
    /// </summary>
    private static readonly Dictionary<string, (byte[] Request, int Status, string Error)> Refusals = RefusalCases();

    public static TheoryData<string> RefusalNames => new(Refusals.Keys);

    private static Dictionary<string, (byte[] Request, int Status, string Error)> RefusalCases()
    {
        const string Run = "/client/v4/accounts/acct123/ai/run/";
        static byte[] Post(string target, string headers = "Host: 127.0.0.1\r\n", string version = "HTTP/1.1") =>
            Encoding.Latin1.GetBytes($"POST {target} {version}\r\n{headers}Content-Type: application/json\r\nContent-Length: 15\r\nConnection: close\r\n\r\n{{\"prompt\":\"Hi\"}}");
        return new()
        {
            ["%00 in the model id"] = (Post(Run + "@cf%2Fmeta%2F%00"), 400, "\"code\":5007,\"message\":\"No such model @cf/meta/\\u0000 or task\""),
            ["%00 in the account id"] = (Post("/client/v4/accounts/%00/ai/run/@ember/tiny-llama"), 404, "\"code\":7003"),
            ["%00 in an OpenAI path"] = (Post("/client/v4/accounts/acct123/ai/v1/chat%00/completions"), 404, "\"type\":\"not_found_error\",\"param\":null,\"code\":\"7003\""),
            ["a raw NUL in the path"] = (Post(Run + "@cf/meta/\0"), 400, "\"code\":5006,\"message\":\"request: the request line"),
            ["a raw byte over 0x7F in the path"] = (Post(Run + "@cf/meta/\u00ff"), 400, "\"code\":5006"),
            ["a raw NUL in the query"] = (Post(Run + "@ember/tiny-llama?x=\0"), 400, "\"code\":5006"),
            ["a raw byte over 0x7F in the query"] = (Post(Run + "@ember/tiny-llama?x=\u00ff"), 400, "\"code\":5006"),
            ["a space in the target"] = (Post(Run + "@ember/tiny llama"), 400, "\"code\":5006"),
            ["no Host header"] = (Post(Run + "@ember/tiny-llama", headers: string.Empty), 400, "\"code\":5006"),
            ["two Host headers"] = (Post(Run + "@ember/tiny-llama", headers: "Host: a\r\nHost: b\r\n"), 400, "\"code\":5006"),
            ["a header name with a space"] = (Post(Run + "@ember/tiny-llama", headers: "Host: a\r\nBad Name: x\r\n"), 400, "\"code\":5006"),
            ["a NUL in a header value"] = (Post(Run + "@ember/tiny-llama", headers: "Host: a\r\nX-A: a\0b\r\n"), 400, "\"code\":5006"),
            ["a transfer coding other than chunked"] = (Post(Run + "@ember/tiny-llama", headers: "Host: a\r\nTransfer-Encoding: gzip\r\n"), 400, "\"code\":5006"),
            ["not HTTP at all (a TLS hello)"] = ([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03, (byte)'\r', (byte)'\n', (byte)'\r', (byte)'\n'], 400, "\"code\":5006"),
            ["HTTP/2.0 in an HTTP/1 request line"] = (Post(Run + "@ember/tiny-llama", version: "HTTP/2.0"), 505, "\"code\":5006"),
            ["headers over 32 KiB"] = (Post(Run + "@ember/tiny-llama", headers: "Host: a\r\nX-Big: " + new string('a', 40_000) + "\r\n"), 431, "\"code\":3006"),
            ["over 100 headers"] = (Post(Run + "@ember/tiny-llama", headers: "Host: a\r\n" + string.Concat(Enumerable.Range(0, 120).Select(i => $"X-H{i}: v\r\n"))), 431, "\"code\":3006"),
            ["a request line over 64 KiB"] = (Post(Run + "@cf/" + new string('a', Ember.Host.Configuration.EmberHostOptions.MaxRequestLineBytes)), 414, "\"code\":3006"),
            ["the asterisk form with POST"] = (Post("*"), 405, "\"code\":7001"),
        };
    }

    [Theory]
    [MemberData(nameof(RefusalNames))]
    public async Task Send_RequestKestrelRefuses_IsAnsweredInTheApisShape(string refusal)
    {
        (byte[] request, int expectedStatus, string expectedError) = Refusals[refusal];

        (int status, string head, string text) = await SendRawWithHeadAsync(request);

        Assert.True(expectedStatus == status, $"{refusal}: {status}\n{head}\n{text}");
        Assert.Contains(expectedError, text, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/json; charset=utf-8", head, StringComparison.Ordinal);
        Assert.Matches("\r\ncf-ray: [0-9a-f]{16}-EMB", head);
        Assert.Contains("Connection: close", head, StringComparison.Ordinal);
        using JsonDocument json = JsonDocument.Parse(text);
    }

    [Theory]
    [InlineData("?queueRequest=%00")]
    [InlineData("?x=%zz")]
    [InlineData("?x=%")]
    [InlineData("?x=\u0001")]
    [InlineData("?x=%1F")]
    [InlineData("?x=%FF")]
    public async Task Post_QueryWithABadEscapeOrAControlCharacter_Is5006NamingTheQuery(string query)
    {
        byte[] request = Encoding.Latin1.GetBytes(
            $"POST /client/v4/accounts/acct123/ai/run/{ModelCatalog.TinyLlamaId}{query} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {HostFixture.Token}\r\nContent-Type: application/json\r\nContent-Length: 15\r\nConnection: close\r\n\r\n{{\"prompt\":\"Hi\"}}");

        (int status, string text) = await SendRawAsync(request);

        Assert.Equal(400, status);
        Assert.Contains("\"code\":5006,\"message\":\"query: must be percent-encoded UTF-8 without control characters", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_GoodRequestThenRefusedOneOnOneConnection_AnswersBothWhole()
    {
        byte[] body = Encoding.ASCII.GetBytes("""{"prompt":"Hi"}""");
        byte[] request = [
            .. Encoding.ASCII.GetBytes($"POST /client/v4/accounts/acct123/ai/run/{ModelCatalog.TinyLlamaId} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {HostFixture.Token}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n"),
            .. body,
            .. Encoding.ASCII.GetBytes("GET /client/v4/accounts/acct123/ai/run/%00 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
        ];

        string response = Encoding.Latin1.GetString(await RawHttp.SendAsync(host.BaseAddress, request));

        int second = response.IndexOf("HTTP/1.1 400 ", StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200 OK", response, StringComparison.Ordinal);
        Assert.True(second > 0, response);
        Assert.Contains("\"success\":true", response[..second], StringComparison.Ordinal);
        Assert.EndsWith("""{"result":null,"success":false,"errors":[{"code":5007,"message":"No such model \u0000 or task"}],"messages":[]}""", response, StringComparison.Ordinal);
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
        (int status, _, string body) = await SendRawWithHeadAsync(request);
        return (status, body);
    }

    /// <summary>Sends <paramref name="request"/> as it is and returns the status, the head and the (de-chunked) body.</summary>
    private async Task<(int Status, string Head, string Body)> SendRawWithHeadAsync(byte[] request)
    {
        string response = Encoding.Latin1.GetString(await RawHttp.SendAsync(host.BaseAddress, request));
        int status = int.Parse(response.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture);
        int split = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        string head = response[..split];
        string body = response[(split + 4)..];
        if (head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = RawHttp.Dechunk(body);
        }

        return (status, head, body);
    }
}
