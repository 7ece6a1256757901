using System.Net;
using System.Text;
using System.Text.Json;
using Ember.Host.Tests.Infrastructure;

namespace Ember.Host.Tests.Endpoints;

/// <summary>Log probabilities on the OpenAI endpoints, in chat's and legacy completions' shapes, whole and streamed.</summary>
[Collection(EmberHostCollectionDefinition.Name)]
public sealed class OpenAiLogprobsTests(EmberHostFixture host)
{
    private static readonly string Chat = ApiAssert.OpenAiPath("chat/completions");
    private static readonly string Completions = ApiAssert.OpenAiPath("completions");

    [Fact]
    public async Task Chat_Whole_OneEntryPerTokenWithTheTopAlternatives()
    {
        using HttpClient client = host.CreateClient();
        const string body = """{"model":"@ember/tiny-llama","messages":[{"role":"user","content":"Tell me about the sea"}],"max_tokens":5,"temperature":0,"logprobs":true,"top_logprobs":2}""";

        using HttpResponseMessage response = await client.PostAsync(Chat, ApiAssert.Json(body));

        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using JsonDocument document = JsonDocument.Parse(text);
        JsonElement choice = document.RootElement.GetProperty("choices")[0];
        JsonElement logprobs = choice.GetProperty("logprobs");
        Assert.Equal(["content", "refusal"], logprobs.EnumerateObject().Select(property => property.Name));
        Assert.Equal(JsonValueKind.Null, logprobs.GetProperty("refusal").ValueKind);
        JsonElement[] content = [.. logprobs.GetProperty("content").EnumerateArray()];
        Assert.Equal(5, content.Length);
        Assert.Equal(document.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), content.Length);
        foreach (JsonElement entry in content)
        {
            Assert.Equal(["token", "logprob", "bytes", "top_logprobs"], entry.EnumerateObject().Select(property => property.Name));
            string token = entry.GetProperty("token").GetString()!;
            Assert.Equal(Encoding.UTF8.GetBytes(token), entry.GetProperty("bytes").EnumerateArray().Select(b => (byte)b.GetInt32()));
            Assert.InRange(entry.GetProperty("logprob").GetDouble(), double.NegativeInfinity, 0);
            JsonElement[] top = [.. entry.GetProperty("top_logprobs").EnumerateArray()];
            Assert.Equal(2, top.Length);
            Assert.Equal(["token", "logprob", "bytes"], top[0].EnumerateObject().Select(property => property.Name));
            Assert.Equal(token, top[0].GetProperty("token").GetString());
            Assert.Equal(entry.GetProperty("logprob").GetDouble(), top[0].GetProperty("logprob").GetDouble());
            Assert.True(top[0].GetProperty("logprob").GetDouble() >= top[1].GetProperty("logprob").GetDouble());
        }

        Assert.Equal(choice.GetProperty("message").GetProperty("content").GetString(), string.Concat(content.Select(entry => entry.GetProperty("token").GetString())));
    }

    [Fact]
    public async Task Chat_Streamed_EntriesTravelWithTheirText()
    {
        using HttpClient client = host.CreateClient();
        const string body = """{"model":"@ember/tiny-llama","messages":[{"role":"user","content":"Tell me about the sea"}],"max_tokens":6,"temperature":0,"logprobs":true,"stream":true,"stream_options":{"include_usage":true}}""";

        using HttpResponseMessage response = await client.PostAsync(Chat, ApiAssert.Json(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        IReadOnlyList<string> events = ApiAssert.SseEvents(await response.Content.ReadAsStringAsync());
        Assert.Equal("[DONE]", events[^1]);
        var tokens = new StringBuilder();
        var content = new StringBuilder();
        int entries = 0;
        foreach (string data in events.SkipLast(2))
        {
            using JsonDocument chunk = JsonDocument.Parse(data);
            JsonElement choice = chunk.RootElement.GetProperty("choices")[0];
            if (choice.GetProperty("delta").TryGetProperty("content", out JsonElement piece) && piece.ValueKind == JsonValueKind.String)
            {
                content.Append(piece.GetString());
            }

            if (choice.GetProperty("logprobs").ValueKind == JsonValueKind.Object)
            {
                foreach (JsonElement entry in choice.GetProperty("logprobs").GetProperty("content").EnumerateArray())
                {
                    entries++;
                    tokens.Append(entry.GetProperty("token").GetString());
                    Assert.Empty(entry.GetProperty("top_logprobs").EnumerateArray());
                }
            }
        }

        using JsonDocument usage = JsonDocument.Parse(events[^2]);
        Assert.Equal(usage.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), entries);
        Assert.Equal(6, entries);
        Assert.Equal(content.ToString(), tokens.ToString());
    }

    [Fact]
    public async Task Chat_WithStopString_CountsTheEntriesUsageCounts()
    {
        using HttpClient client = host.CreateClient();
        const string probe = """{"model":"@ember/tiny-llama","messages":[{"role":"user","content":"Tell me about the sea"}],"max_tokens":6,"temperature":0}""";
        using HttpResponseMessage first = await client.PostAsync(Chat, ApiAssert.Json(probe));
        using JsonDocument plain = JsonDocument.Parse(await first.Content.ReadAsStringAsync());
        string whole = plain.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
        string stop = whole.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2];
        string body = $$"""{"model":"@ember/tiny-llama","messages":[{"role":"user","content":"Tell me about the sea"}],"max_tokens":6,"temperature":0,"logprobs":true,"stop":"{{stop}}"}""";

        using HttpResponseMessage response = await client.PostAsync(Chat, ApiAssert.Json(body));

        using JsonDocument document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        JsonElement choice = document.RootElement.GetProperty("choices")[0];
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(
            document.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32(),
            choice.GetProperty("logprobs").GetProperty("content").GetArrayLength());
        Assert.StartsWith(choice.GetProperty("message").GetProperty("content").GetString()!, whole, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Completions_Whole_LegacyShapeWithOffsets()
    {
        using HttpClient client = host.CreateClient();
        const string body = """{"model":"@ember/tiny-llama","prompt":"Tell me about the sea","max_tokens":5,"temperature":0,"logprobs":3}""";

        using HttpResponseMessage response = await client.PostAsync(Completions, ApiAssert.Json(body));

        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using JsonDocument document = JsonDocument.Parse(text);
        JsonElement choice = document.RootElement.GetProperty("choices")[0];
        JsonElement logprobs = choice.GetProperty("logprobs");
        Assert.Equal(["tokens", "token_logprobs", "top_logprobs", "text_offset"], logprobs.EnumerateObject().Select(property => property.Name));
        string[] tokens = [.. logprobs.GetProperty("tokens").EnumerateArray().Select(token => token.GetString()!)];
        int[] offsets = [.. logprobs.GetProperty("text_offset").EnumerateArray().Select(offset => offset.GetInt32())];
        Assert.Equal(5, tokens.Length);
        Assert.Equal(5, logprobs.GetProperty("token_logprobs").GetArrayLength());
        Assert.Equal(choice.GetProperty("text").GetString(), string.Concat(tokens));
        Assert.Equal(tokens.Select((_, i) => tokens.Take(i).Sum(token => token.Length)), offsets);
        foreach (JsonElement top in logprobs.GetProperty("top_logprobs").EnumerateArray())
        {
            Assert.InRange(top.EnumerateObject().Count(), 1, 3);
        }

        JsonElement firstTop = logprobs.GetProperty("top_logprobs")[0];
        Assert.Equal(logprobs.GetProperty("token_logprobs")[0].GetDouble(), firstTop.GetProperty(tokens[0]).GetDouble());
    }

    [Fact]
    public async Task Completions_Streamed_OffsetsContinueAcrossChunks()
    {
        using HttpClient client = host.CreateClient();
        const string body = """{"model":"@ember/tiny-llama","prompt":"Tell me about the sea","max_tokens":6,"temperature":0,"logprobs":0,"stream":true}""";

        using HttpResponseMessage response = await client.PostAsync(Completions, ApiAssert.Json(body));

        IReadOnlyList<string> events = ApiAssert.SseEvents(await response.Content.ReadAsStringAsync());
        var text = new StringBuilder();
        var offsets = new List<int>();
        var tokens = new List<string>();
        foreach (string data in events.SkipLast(1))
        {
            using JsonDocument chunk = JsonDocument.Parse(data);
            JsonElement choice = chunk.RootElement.GetProperty("choices")[0];
            if (choice.GetProperty("logprobs").ValueKind == JsonValueKind.Object)
            {
                offsets.AddRange(choice.GetProperty("logprobs").GetProperty("text_offset").EnumerateArray().Select(offset => offset.GetInt32()));
                tokens.AddRange(choice.GetProperty("logprobs").GetProperty("tokens").EnumerateArray().Select(token => token.GetString()!));
            }

            text.Append(choice.GetProperty("text").GetString());
        }

        Assert.Equal(6, tokens.Count);
        Assert.Equal(text.ToString(), string.Concat(tokens));
        Assert.Equal(tokens.Select((_, i) => tokens.Take(i).Sum(token => token.Length)), offsets);
    }

    [Theory]
    [InlineData("chat/completions", """ "messages":[{"role":"user","content":"hi"}],"top_logprobs":3}""", "top_logprobs: needs logprobs: true")]
    [InlineData("chat/completions", """ "messages":[{"role":"user","content":"hi"}],"logprobs":true,"top_logprobs":21}""", "top_logprobs: must be an integer from 0 to 20")]
    [InlineData("chat/completions", """ "messages":[{"role":"user","content":"hi"}],"logprobs":1}""", "logprobs: must be a boolean")]
    [InlineData("completions", """ "prompt":"hi","logprobs":6}""", "logprobs: must be an integer from 0 to 5")]
    [InlineData("completions", """ "prompt":"hi","logprobs":true}""", "logprobs: must be an integer from 0 to 5")]
    public async Task Logprobs_OutOfRange_Returns400NamingTheField(string path, string rest, string message)
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.OpenAiPath(path), ApiAssert.Json("""{"model":"@ember/tiny-llama","max_tokens":2,""" + rest));

        JsonElement error = await ApiAssert.OpenAiErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", 5006);
        Assert.Equal(message, error.GetProperty("message").GetString());
    }
}
