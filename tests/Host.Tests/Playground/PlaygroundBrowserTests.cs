using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ember.Host.Tests.Infrastructure;

namespace Ember.Host.Tests.Playground;

/// <summary>
/// The playground as a newcomer meets it: the README's host (its <c>runtime.json</c>, no token) in a real chromium. A
/// message gets the model's own reply, streamed through the OpenAI endpoint, with its figures and the live view.
/// </summary>
[Collection(ReadmeHostCollectionDefinition.Name)]
public sealed partial class PlaygroundBrowserTests(ReadmeHostFixture host)
{
    private const string Prompt = "Tell me about the sea";
    private const int MaxTokens = 24;

    [Fact]
    public async Task Chat_ShowsTheModelsReplyWithItsFigures_AndTheLiveView()
    {
        // What the API answers for the same conversation, greedy: the page must show exactly this.
        using HttpClient client = host.CreateClient(authenticated: false);
        using HttpResponseMessage answer = await client.PostAsJsonAsync(
            "client/v4/accounts/playground/ai/v1/chat/completions",
            new { model = "@ember/tiny-llama", messages = new[] { new { role = "user", content = Prompt } }, max_tokens = MaxTokens, temperature = 0 });
        answer.EnsureSuccessStatusCode();
        using JsonDocument expected = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        JsonElement choice = expected.RootElement.GetProperty("choices")[0];
        string expectedText = choice.GetProperty("message").GetProperty("content").GetString()!;
        int expectedTokens = expected.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32();
        string finish = choice.GetProperty("finish_reason").GetString()!;

        string screenshot = PlaygroundBrowser.Screenshot("playground");
        File.Delete(screenshot);
        JsonElement page = await PlaygroundBrowser.RunAsync(host.BaseAddress, "chat", new Dictionary<string, string>
        {
            ["EMBER_PROMPT"] = Prompt,
            ["EMBER_MAX_TOKENS"] = MaxTokens.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["EMBER_SCREENSHOT"] = screenshot,
        });

        Assert.Empty(page.GetProperty("consoleErrors").EnumerateArray());
        Assert.Equal("1 model ready.", page.GetProperty("status").GetString());
        JsonElement[] models = [.. page.GetProperty("models").EnumerateArray()];
        Assert.Equal("@ember/tiny-llama", models[0].GetProperty("text").GetString());
        Assert.True(models[0].GetProperty("selected").GetBoolean());
        Assert.False(models[0].GetProperty("disabled").GetBoolean());
        Assert.All(models[1..], model =>
        {
            Assert.True(model.GetProperty("disabled").GetBoolean());
            Assert.EndsWith(" (not installed)", model.GetProperty("text").GetString(), StringComparison.Ordinal);
        });
        Assert.Equal("0", page.GetProperty("temperature").GetString());

        JsonElement[] messages = [.. page.GetProperty("messages").EnumerateArray()];
        Assert.Equal(2, messages.Length);
        Assert.Equal("user", messages[0].GetProperty("role").GetString());
        Assert.Equal(Prompt, messages[0].GetProperty("text").GetString());
        Assert.Equal("assistant", messages[1].GetProperty("role").GetString());
        Assert.Equal(["done"], messages[1].GetProperty("classes").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(expectedText, messages[1].GetProperty("text").GetString());
        string meta = messages[1].GetProperty("meta").GetString()!;
        Match figures = Figures().Match(meta);
        Assert.True(figures.Success, meta);
        Assert.Equal(expectedTokens, int.Parse(figures.Groups["tokens"].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(finish == "length" ? " · stopped at max tokens" : string.Empty, figures.Groups["outcome"].Value);
        Assert.Equal(expectedText.Length, page.GetProperty("lengths").EnumerateArray().Last().GetInt32());

        // The live view saw the reply's tokens, and nothing is left queued or running.
        Assert.True(double.Parse(page.GetProperty("liveRate").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal("0", page.GetProperty("liveQueued").GetString());
        Assert.Equal("0", page.GetProperty("liveRunning").GetString());
        Assert.Equal((1280, 800), PlaygroundBrowser.PngSize(screenshot));
    }

    [GeneratedRegex(@"^TTFT \d+ ms · (?<tokens>\d+) tokens · \d+\.\d tok/s(?<outcome>.*)$")]
    private static partial Regex Figures();
}
