using System.Text.Json;
using System.Text.RegularExpressions;
using Ember.Host.Tests.Infrastructure;

namespace Ember.Host.Tests.Playground;

/// <summary>
/// The playground in a real chromium against the scripted host (which has a token): the login, a reply stopped
/// mid-stream (the server sees the request cancelled), and model output that is markup shown as text.
/// </summary>
[Collection(ScriptedHostCollectionDefinition.Name)]
public sealed partial class PlaygroundScriptedBrowserTests(ScriptedHostFixture host)
{
    private const string Unauthorized = "Failed to load resource: the server responded with a status of 401 (Unauthorized)";

    [Fact]
    public async Task Login_IsAskedForWithoutAToken_RefusesAWrongOne_AndIsKeptForTheTabOnly()
    {
        string screenshot = PlaygroundBrowser.Screenshot("playground");
        File.Delete(PlaygroundBrowser.Screenshot("playground-login"));
        JsonElement page = await PlaygroundBrowser.RunAsync(host.BaseAddress, "login", new Dictionary<string, string>
        {
            ["EMBER_TOKEN"] = HostFixture.Token,
            ["EMBER_SCREENSHOT"] = screenshot,
        });

        JsonElement first = page.GetProperty("first");
        Assert.True(first.GetProperty("appHidden").GetBoolean());
        Assert.Equal("This server needs a token", first.GetProperty("heading").GetString());
        Assert.Equal("Sign in to use this server.", first.GetProperty("status").GetString());
        Assert.Equal("That token was not accepted.", page.GetProperty("refused").GetProperty("error").GetString());
        Assert.True(page.GetProperty("refused").GetProperty("appHidden").GetBoolean());
        JsonElement signedIn = page.GetProperty("signedIn");
        Assert.True(signedIn.GetProperty("loginHidden").GetBoolean());
        Assert.Equal(HostFixture.Token, signedIn.GetProperty("sessionToken").GetString());
        Assert.Equal(0, signedIn.GetProperty("localStorageKeys").GetInt32());
        Assert.Contains(signedIn.GetProperty("models").EnumerateArray(), model =>
            model.GetProperty("text").GetString() == "@ember/tiny-llama" && model.GetProperty("selected").GetBoolean());
        Assert.True(page.GetProperty("reloaded").GetProperty("loginHidden").GetBoolean());
        Assert.True(page.GetProperty("newSession").GetProperty("appHidden").GetBoolean());
        // The only errors are the browser's own lines for the three refused loads: first visit, wrong token, new tab.
        Assert.Equal([Unauthorized, Unauthorized, Unauthorized], page.GetProperty("consoleErrors").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal((1280, 800), PlaygroundBrowser.PngSize(PlaygroundBrowser.Screenshot("playground-login")));
    }

    [Fact]
    public async Task Stop_EndsAReplyMidStream_AndTheServerSeesTheRequestCancelled()
    {
        JsonElement page = await PlaygroundBrowser.RunAsync(host.BaseAddress, "stop", new Dictionary<string, string>
        {
            ["EMBER_TOKEN"] = HostFixture.Token,
            ["EMBER_PROMPT"] = "#hold",
        });

        // While the reply streams: its first pieces show, Send is off and Stop is on.
        JsonElement during = page.GetProperty("whileStreaming");
        Assert.True(during.GetProperty("sendDisabled").GetBoolean());
        Assert.False(during.GetProperty("stopDisabled").GetBoolean());
        Assert.Contains("streaming", during.GetProperty("classes").EnumerateArray().Select(c => c.GetString()));

        JsonElement reply = page.GetProperty("messages")[1];
        Assert.Equal(string.Concat(ScriptedTextGeneration.HelloPieces.Take(2)), reply.GetProperty("text").GetString());
        Assert.Equal(["stopped"], reply.GetProperty("classes").EnumerateArray().Select(c => c.GetString()));
        Assert.Matches(StoppedFigures(), reply.GetProperty("meta").GetString());
        Assert.False(page.GetProperty("sendDisabled").GetBoolean());
        Assert.True(page.GetProperty("stopDisabled").GetBoolean());
        await host.Generation.HeldCancelled.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([Unauthorized], page.GetProperty("consoleErrors").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Markup_InTheMessageAndTheReply_IsShownAsText()
    {
        string[] pieces = ["<script>window.__pwned = 1</script>", "<img src=x onerror=\"window.__pwned = 2\">", "<b>bold</b>"];
        string prompt = "#pieces:" + string.Join('|', pieces);

        JsonElement page = await PlaygroundBrowser.RunAsync(host.BaseAddress, "escape", new Dictionary<string, string>
        {
            ["EMBER_TOKEN"] = HostFixture.Token,
            ["EMBER_PROMPT"] = prompt,
        });

        Assert.Equal(prompt, page.GetProperty("messages")[0].GetProperty("text").GetString());
        Assert.Equal(string.Concat(pieces), page.GetProperty("messages")[1].GetProperty("text").GetString());
        Assert.Equal(JsonValueKind.Null, page.GetProperty("pwned").ValueKind);
        Assert.Equal(0, page.GetProperty("elementsInMessages").GetInt32());
        Assert.Equal([Unauthorized], page.GetProperty("consoleErrors").EnumerateArray().Select(e => e.GetString()));
    }

    [GeneratedRegex(@"^TTFT \d+ ms · 2 tokens · \d+\.\d tok/s · stopped$")]
    private static partial Regex StoppedFigures();
}
