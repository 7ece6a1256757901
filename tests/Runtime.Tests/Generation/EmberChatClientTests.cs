using System.Text.Json;
using Ember.Runtime.Generation;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AiChatRole = Microsoft.Extensions.AI.ChatRole;

namespace Ember.Runtime.Tests.Generation;

/// <summary>Ember in process as an <see cref="IChatClient"/>, on the real runtime and tiny model.</summary>
[Collection(RuntimeTestGroup.Name)]
public sealed class EmberChatClientTests(TinyModelFixture models)
{
    private static readonly AiChatMessage[] Conversation = [new(AiChatRole.System, "You are brief."), new(AiChatRole.User, "Hello!")];

    private static EmberChatClient Client(RuntimeHarness runtime) => new(runtime.Generation, Requests.Tiny);

    private static TextGenerationRequest Same(int maxTokens, bool stream = false) => new()
    {
        Messages = [new(Ember.Models.Chat.ChatRole.System, "You are brief."), new(Ember.Models.Chat.ChatRole.User, "Hello!")],
        MaxTokens = maxTokens,
        Temperature = 0,
        Stream = stream,
    };

    [Fact]
    public async Task GetResponseAsync_AnswersAsTheRuntimeWithUsageAndFinishReason()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);
        var expected = await runtime.Generation.RunAsync(Requests.Tiny, Same(6), CancellationToken.None);

        var response = await Client(runtime).GetResponseAsync(Conversation, new ChatOptions { MaxOutputTokens = 6, Temperature = 0 });

        Assert.Equal(expected.Response, response.Text);
        Assert.Equal(AiChatRole.Assistant, Assert.Single(response.Messages).Role);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.Equal((expected.Usage.PromptTokens, 6, expected.Usage.PromptTokens + 6), (response.Usage!.InputTokenCount, response.Usage.OutputTokenCount, response.Usage.TotalTokenCount));
        Assert.Equal(Requests.Tiny, response.ModelId);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_UpdatesJoinToTheWholeAnswerAndEndWithUsage()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);
        var expected = await runtime.Generation.RunAsync(Requests.Tiny, Same(8), CancellationToken.None);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in Client(runtime).GetStreamingResponseAsync(Conversation, new ChatOptions { MaxOutputTokens = 8, Temperature = 0 }))
        {
            updates.Add(update);
        }

        Assert.Equal(expected.Response, string.Concat(updates.Select(update => update.Text)));
        Assert.Equal(ChatFinishReason.Length, updates[^1].FinishReason);
        Assert.Equal(8, updates[^1].Contents.OfType<UsageContent>().Single().Details.OutputTokenCount);
        Assert.Single(updates.Select(update => update.ResponseId).Distinct());
        Assert.Equal(expected.Response, (await updates.ToAsyncEnumerable().ToChatResponseAsync()).Text);
    }

    [Fact]
    public async Task Options_StopSeedAndJson_MapToTheRuntime()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);
        var client = Client(runtime);
        var free = await client.GetResponseAsync(Conversation, new ChatOptions { MaxOutputTokens = 12, Temperature = 0 });
        var stop = free.Text.Substring(free.Text.Length / 2, 3);

        var stopped = await client.GetResponseAsync(Conversation, new ChatOptions { MaxOutputTokens = 12, Temperature = 0, StopSequences = [stop] });
        var seeded = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => client.GetResponseAsync(Conversation, new ChatOptions { MaxOutputTokens = 12, Temperature = 1.2f, TopK = 40, Seed = 7 })));
        var json = await client.GetResponseAsync(Conversation, new ChatOptions { MaxOutputTokens = 160, Temperature = 0, ResponseFormat = ChatResponseFormat.ForJsonSchema(JsonDocument.Parse("""{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"],"additionalProperties":false}""").RootElement) });

        Assert.Equal(free.Text[..free.Text.IndexOf(stop, StringComparison.Ordinal)], stopped.Text);
        Assert.Equal(ChatFinishReason.Stop, stopped.FinishReason);
        Assert.Equal(seeded[0].Text, seeded[1].Text);
        Assert.Equal(ChatFinishReason.Stop, json.FinishReason);
        using var value = JsonDocument.Parse(json.Text);
        Assert.Equal(["ok"], value.RootElement.EnumerateObject().Select(property => property.Name));
    }

    [Fact]
    public async Task ManyCallers_AreBatchedTogether()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);
        var client = Client(runtime);

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.GetResponseAsync(Conversation, new ChatOptions { MaxOutputTokens = 24, Temperature = 0 })));

        Assert.Single(responses.Select(response => response.Text).Distinct());
        Assert.True(runtime.Pool.GetStatistics(Requests.Tiny)!.LargestBatch > 1, "the calls shared decode steps");
    }

    [Fact]
    public async Task Cancelled_ThrowsCancelledAndAToolMessage_IsBadInput()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);
        var client = Client(runtime);
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        var cancelled = await Assert.ThrowsAsync<AiTextGenerationException>(() => client.GetResponseAsync(Conversation, null, cancel.Token));
        var tool = await Assert.ThrowsAsync<AiTextGenerationException>(() => client.GetResponseAsync([new AiChatMessage(AiChatRole.Tool, "x")]));

        Assert.Equal(AiErrorKind.Cancelled, cancelled.Kind);
        Assert.Equal(AiErrorKind.BadInput, tool.Kind);
    }

    [Fact]
    public async Task AddEmberChatClient_ResolvesAClientWithItsMetadata()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);
        var services = new ServiceCollection().AddSingleton(runtime.Generation).AddEmberChatClient(Requests.Tiny).BuildServiceProvider();

        var client = services.GetRequiredService<IChatClient>();

        Assert.Equal(("ember", Requests.Tiny), (client.GetService<ChatClientMetadata>()!.ProviderName, client.GetService<ChatClientMetadata>()!.DefaultModelId));
        Assert.Same(client, client.GetService<IChatClient>());
    }
}
