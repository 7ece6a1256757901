using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ember.Host.Playground;
using Ember.Host.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Ember.Host.Tests.Playground;

/// <summary>The playground's files over HTTP: served without a token, byte for byte, with the security headers; <c>/stats</c> needs one.</summary>
[Collection(ScriptedHostCollectionDefinition.Name)]
public sealed partial class PlaygroundEndpointsTests(ScriptedHostFixture host)
{
    private static readonly string Sources = Path.Combine(ReadmeHostFixture.RepositoryRoot, "src", "Host", "Playground", "wwwroot");

    public static TheoryData<string, string, string> Files => new()
    {
        { "/", "index.html", "text/html; charset=utf-8" },
        { "/playground/playground.js", "playground.js", "text/javascript; charset=utf-8" },
        { "/playground/playground.css", "playground.css", "text/css; charset=utf-8" },
        { "/playground/favicon.svg", "favicon.svg", "image/svg+xml" },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public async Task File_WithoutToken_IsTheSourceFile_WithTheSecurityHeaders(string path, string source, string contentType)
    {
        using HttpClient client = host.CreateClient(authenticated: false);

        using HttpResponseMessage response = await client.GetAsync(path.TrimStart('/'));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.ToString());
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(Sources, source)), await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(PlaygroundEndpoints.ContentSecurityPolicy, Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.True(response.Headers.CacheControl!.NoCache);
        Assert.Matches("^\"[0-9a-f]{16}\"$", response.Headers.ETag!.Tag);
    }

    [Fact]
    public void EveryEmbeddedFile_IsASourceFile_AndTheTableCoversThemAll()
    {
        string[] sources = [.. Directory.GetFiles(Sources).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

        Assert.Equal(sources, PlaygroundAssets.Embedded.Names.Order(StringComparer.Ordinal));
        Assert.Equal(sources, Files.Select(row => (string)row[1]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task File_WithItsETag_Is304WithNoBody()
    {
        using HttpClient client = host.CreateClient(authenticated: false);
        using HttpResponseMessage first = await client.GetAsync("playground/playground.js");
        using var again = new HttpRequestMessage(HttpMethod.Get, "playground/playground.js");
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);

        using HttpResponseMessage response = await client.SendAsync(again);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(first.Headers.ETag, response.Headers.ETag);
    }

    [Theory]
    [InlineData("playground/missing.js")]
    [InlineData("playground/")]
    [InlineData("playground/..%2Fplayground.js")]
    [InlineData("index.html")]
    public async Task UnknownFile_WithoutToken_Is404Code7003(string path)
    {
        using HttpClient client = host.CreateClient(authenticated: false);

        using HttpResponseMessage response = await client.GetAsync(path);

        HttpStatusCode expected = path == "index.html" ? HttpStatusCode.Unauthorized : HttpStatusCode.NotFound;
        await ApiAssert.ErrorAsync(response, expected, expected == HttpStatusCode.NotFound ? 7003 : 10000);
    }

    [Fact]
    public async Task Page_Post_Returns405Code7001()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(string.Empty, ApiAssert.Json("{}"));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.MethodNotAllowed, 7001);
    }

    [Fact]
    public async Task Page_LoadsOnlyItsOwnFiles_AndHasNoInlineScriptOrStyle()
    {
        string page = await File.ReadAllTextAsync(Path.Combine(Sources, "index.html"));

        string[] links = [.. Links().Matches(page).Select(match => match.Groups["url"].Value)];
        Assert.Equal(["/playground/favicon.svg", "/playground/playground.css", "/playground/playground.js", "/playground/favicon.svg"], links);
        Assert.DoesNotMatch("<script(?![^>]*src=)", page);
        Assert.DoesNotContain("<style", page, StringComparison.Ordinal);
        Assert.DoesNotContain(" style=", page, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\son[a-z]+\s*=", page);
        string script = await File.ReadAllTextAsync(Path.Combine(Sources, "playground.js"));
        Assert.DoesNotContain("innerHTML", script, StringComparison.Ordinal);
        Assert.DoesNotContain("insertAdjacentHTML", script, StringComparison.Ordinal);
        Assert.DoesNotContain("http", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_WithoutToken_Returns401Code10000()
    {
        using HttpClient client = host.CreateClient(authenticated: false);

        using HttpResponseMessage response = await client.GetAsync("stats");

        await ApiAssert.ErrorAsync(response, HttpStatusCode.Unauthorized, 10000);
    }

    [Fact]
    public async Task Stats_WithToken_ReportsTheWindowsSamples()
    {
        host.Services.GetRequiredService<ServerActivity>().Sample();
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.GetAsync("stats");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" }, response.Content.Headers.ContentType);
        using JsonDocument report = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(["interval_seconds", "window_seconds", "samples"], report.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, report.RootElement.GetProperty("interval_seconds").GetInt32());
        Assert.Equal(300, report.RootElement.GetProperty("window_seconds").GetInt32());
        JsonElement[] samples = [.. report.RootElement.GetProperty("samples").EnumerateArray()];
        Assert.InRange(samples.Length, 1, ServerActivity.Capacity);
        Assert.All(samples, sample => Assert.Equal(["at", "tokens_per_second", "queued", "running"], sample.EnumerateObject().Select(p => p.Name)));
        Assert.Equal(0, samples[^1].GetProperty("queued").GetInt32());
        Assert.Equal(0, samples[^1].GetProperty("running").GetInt32());
    }

    [GeneratedRegex("(?:src|href)=\"(?<url>[^\"]+)\"")]
    private static partial Regex Links();
}
