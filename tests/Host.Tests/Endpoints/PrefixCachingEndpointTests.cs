using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ember.Host.Responses;
using Ember.Host.Tests.Infrastructure;
using Ember.Models.Catalog;
using static Ember.Host.Tests.Infrastructure.PrometheusText;

namespace Ember.Host.Tests.Endpoints;

/// <summary>
/// Prefix caching through HTTP: <c>usage.prompt_tokens_details.cached_tokens</c> in every response shape, a conversation
/// kept on one replica by <c>x-session-affinity</c>, and the prefix-cache counters on <c>/metrics</c>.
/// </summary>
/// <remarks>
/// The host (<see cref="PrefixCacheHostFixture"/>) has two replicas of one slot each, so a replica keeps exactly what its
/// last request left. Each test's prompts start with words of their own, well inside the first
/// <c>SlotHistory.MinimumSharedTokens</c> (16) tokens, and each test uses affinity keys of its own: whatever an earlier
/// test left in a slot shares too few tokens with them to be reused, so the tests hold in any order.
/// </remarks>
[Collection(PrefixCacheHostCollectionDefinition.Name)]
public sealed class PrefixCachingEndpointTests(PrefixCacheHostFixture host)
{
    private const string Model = ModelCatalog.TinyLlamaId;
    private const int MaxTokens = 8;

    /// <summary>The 40 words every prompt goes on with after its own opening words.</summary>
    private const string Tail =
        "the little ember found a friend by the water and they said thank you for the tea and the story about the moon "
        + "and the star when the day was long and the bird was happy in the sun";

    public enum Shape
    {
        RunWhole,
        RunStreamed,
        ChatWhole,
        ChatStreamed,
        CompletionsWhole,
        CompletionsStreamed,
    }

    [Theory]
    [InlineData(Shape.RunWhole, "Cat spark glow")]
    [InlineData(Shape.RunStreamed, "Dog moon tea")]
    [InlineData(Shape.ChatWhole, "Fish star love")]
    [InlineData(Shape.ChatStreamed, "Bird sun yes")]
    [InlineData(Shape.CompletionsWhole, "Hello token model")]
    [InlineData(Shape.CompletionsStreamed, "Thanks word text")]
    public async Task SamePromptTwice_SecondReusesAllButItsLastToken_SameText(Shape shape, string opening)
    {
        using HttpClient client = host.CreateClient();
        string prompt = opening + " " + Tail;
        string key = "same-prompt-" + shape;

        Answer cold = await SendAsync(client, shape, prompt, key);
        Answer hit = await SendAsync(client, shape, prompt, key);

        Assert.InRange(cold.PromptTokens, 40, int.MaxValue);
        Assert.Equal(0, cold.CachedTokens);
        Assert.Equal(cold.PromptTokens, hit.PromptTokens);
        Assert.Equal(hit.PromptTokens - 1, hit.CachedTokens);
        Assert.Equal(cold.CompletionTokens, hit.CompletionTokens);
        Assert.Equal(cold.Text, hit.Text);
    }

    [Fact]
    public async Task SecondTurn_SameAffinity_ReusesTheFirstTurn_SameTextAsColdOnTheOtherReplica()
    {
        using HttpClient client = host.CreateClient();
        const string key = "second-turn";
        string otherKey = KeyOnOtherReplica(key);
        var firstTurn = new JsonArray(Message("user", "Sorry please " + Tail));

        Answer first = await SendMessagesAsync(client, firstTurn, key);
        JsonArray secondTurn = [.. firstTurn.Select(message => message!.DeepClone()), Message("assistant", first.Text), Message("user", "What was the story about")];
        Answer warm = await SendMessagesAsync(client, secondTurn, key);
        Answer cold = await SendMessagesAsync(client, secondTurn, otherKey);

        Assert.Equal(0, first.CachedTokens);
        // The second turn's prompt starts with the whole first one (the template renders the history unchanged).
        Assert.InRange(warm.CachedTokens, first.PromptTokens, warm.PromptTokens - 1);
        Assert.Equal(0, cold.CachedTokens);
        Assert.Equal(cold.PromptTokens, warm.PromptTokens);
        Assert.Equal(cold.Text, warm.Text);
    }

    [Fact]
    public async Task Metrics_AfterAMissAndAHit_CountBothAndTheCachedTokens()
    {
        using HttpClient client = host.CreateClient();
        const string model = "gen_ai_request_model=\"" + Model + "\"";
        string prompt = "Happy friend story " + Tail;
        string before = await ScrapeAsync(client);

        Answer miss = await SendAsync(client, Shape.RunWhole, prompt, "metrics");
        Answer hit = await SendAsync(client, Shape.RunWhole, prompt, "metrics");
        string after = await ScrapeAsync(client);

        Assert.Equal(0, miss.CachedTokens);
        Assert.Equal(hit.PromptTokens - 1, hit.CachedTokens);
        Assert.Equal(1, Delta("ember_prefix_cache_lookups_total", [model, "ember_prefix_cache_hit=\"false\""]));
        Assert.Equal(1, Delta("ember_prefix_cache_lookups_total", [model, "ember_prefix_cache_hit=\"true\""]));
        Assert.Equal(hit.CachedTokens, Delta("ember_prefix_cache_cached_tokens_total", [model]));

        double Delta(string name, string[] labels) => Value(after, name, labels) - Value(before, name, labels);
    }

    /// <summary>
    /// The replica a key maps to, as the server's contract has it (<c>ServedModel.ReplicaFor</c>): FNV-1a over the key's
    /// UTF-16 code units, modulo the number of replicas, the same in every process.
    /// </summary>
    private static int ReplicaOf(string key)
    {
        uint hash = 2166136261u;
        foreach (char unit in key)
        {
            hash = (hash ^ unit) * 16777619u;
        }

        return (int)(hash % PrefixCacheHostFixture.Replicas);
    }

    /// <summary>The first of <c>{key}-1</c>, <c>{key}-2</c>, … that maps to a replica other than <paramref name="key"/>'s.</summary>
    private static string KeyOnOtherReplica(string key) =>
        Enumerable.Range(1, 64).Select(i => $"{key}-{i}").First(candidate => ReplicaOf(candidate) != ReplicaOf(key));

    private static JsonObject Message(string role, string content) => new() { ["role"] = role, ["content"] = content };

    private static async Task<Answer> SendMessagesAsync(HttpClient client, JsonArray messages, string key)
    {
        var body = new JsonObject { ["messages"] = messages.DeepClone(), ["max_tokens"] = MaxTokens, ["temperature"] = 0 };
        using HttpResponseMessage response = await PostAsync(client, ApiAssert.RunPath(Model), body, key);
        JsonElement result = await ApiAssert.SuccessAsync(response);
        return Answer.From(result.GetProperty("response").GetString()!, result.GetProperty("usage"));
    }

    /// <summary>Sends <paramref name="prompt"/> as one user line in <paramref name="shape"/> with the affinity <paramref name="key"/>, greedy.</summary>
    private static async Task<Answer> SendAsync(HttpClient client, Shape shape, string prompt, string key)
    {
        var body = new JsonObject { ["max_tokens"] = MaxTokens, ["temperature"] = 0 };
        string path;
        switch (shape)
        {
            case Shape.RunWhole or Shape.RunStreamed:
                path = ApiAssert.RunPath(Model);
                body["prompt"] = prompt;
                break;
            case Shape.ChatWhole or Shape.ChatStreamed:
                path = ApiAssert.OpenAiPath("chat/completions");
                body["model"] = Model;
                body["messages"] = new JsonArray(Message("user", prompt));
                break;
            default:
                path = ApiAssert.OpenAiPath("completions");
                body["model"] = Model;
                body["prompt"] = prompt;
                break;
        }

        bool streamed = shape is Shape.RunStreamed or Shape.ChatStreamed or Shape.CompletionsStreamed;
        if (streamed)
        {
            body["stream"] = true;
            if (shape is not Shape.RunStreamed)
            {
                body["stream_options"] = new JsonObject { ["include_usage"] = true };
            }
        }

        using HttpResponseMessage response = await PostAsync(client, path, body, key);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        if (shape is Shape.RunWhole)
        {
            JsonElement result = await ApiAssert.SuccessAsync(response);
            return Answer.From(result.GetProperty("response").GetString()!, result.GetProperty("usage"));
        }

        if (!streamed)
        {
            using JsonDocument whole = JsonDocument.Parse(text);
            JsonElement choice = Assert.Single(whole.RootElement.GetProperty("choices").EnumerateArray().ToArray());
            string answer = shape is Shape.ChatWhole ? choice.GetProperty("message").GetProperty("content").GetString()! : choice.GetProperty("text").GetString()!;
            return Answer.From(answer, whole.RootElement.GetProperty("usage"));
        }

        IReadOnlyList<string> events = ApiAssert.SseEvents(text);
        Assert.Equal("[DONE]", events[^1]);
        JsonElement[] chunks = events.Take(events.Count - 1).Select(item => JsonDocument.Parse(item).RootElement).ToArray();
        if (shape is Shape.RunStreamed)
        {
            // Pieces of text, then the final event with an empty response and the usage.
            string joined = string.Concat(chunks[..^1].Select(chunk => chunk.GetProperty("response").GetString()));
            Assert.Equal(string.Empty, chunks[^1].GetProperty("response").GetString());
            return Answer.From(joined, chunks[^1].GetProperty("usage"));
        }

        // OpenAI: chunks of one choice each, then the usage chunk with no choices.
        Assert.Equal(0, chunks[^1].GetProperty("choices").GetArrayLength());
        string streamedText = string.Concat(chunks[..^1].Select(chunk => chunk.GetProperty("choices")[0]).Select(choice =>
            shape is Shape.CompletionsStreamed ? choice.GetProperty("text").GetString()
            : choice.GetProperty("delta").TryGetProperty("content", out JsonElement content) ? content.GetString() : string.Empty));
        return Answer.From(streamedText, chunks[^1].GetProperty("usage"));
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, JsonObject body, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = ApiAssert.Json(body.ToJsonString()) };
        request.Headers.Add(GenerationExchange.SessionAffinityHeader, key);
        return await client.SendAsync(request);
    }

    /// <summary>An answer's text and usage.</summary>
    private sealed record Answer(string Text, int PromptTokens, int CompletionTokens, int CachedTokens)
    {
        public static Answer From(string text, JsonElement usage)
        {
            ApiAssert.Usage(usage, MaxTokens);
            return new(
                text,
                usage.GetProperty("prompt_tokens").GetInt32(),
                usage.GetProperty("completion_tokens").GetInt32(),
                usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
        }
    }
}
