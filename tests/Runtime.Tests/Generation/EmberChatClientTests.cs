using System.Diagnostics;
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
    public async Task Cancelled_ThrowsOperationCanceled_BeforeAndDuringAStream()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);
        var client = Client(runtime);
        using var before = new CancellationTokenSource();
        await before.CancelAsync();
        using var during = new CancellationTokenSource();
        var received = 0;

        var whole = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync(Conversation, null, before.Token));
        var notStarted = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(Conversation, null, before.Token))
            {
                received++;
            }
        });
        var streamed = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(Conversation, new ChatOptions { MaxOutputTokens = 400, Temperature = 0 }, during.Token))
            {
                received++;
                await during.CancelAsync();
            }
        });

        Assert.Equal(before.Token, whole.CancellationToken);
        Assert.Equal(before.Token, notStarted.CancellationToken);
        Assert.Equal(during.Token, streamed.CancellationToken);
        Assert.Equal(1, received);
        // The slot is free again: a call after the cancelled one is answered in full.
        Assert.Equal(ChatFinishReason.Length, (await client.GetResponseAsync(Conversation, new ChatOptions { MaxOutputTokens = 3, Temperature = 0 })).FinishReason);
    }

    [Fact]
    public async Task ContentOtherThanTextAndFunctionCalls_IsBadInput()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);
        var client = Client(runtime);
        var image = new AiChatMessage(AiChatRole.User, [new TextContent("What is this?"), new DataContent(new byte[] { 0x89, 0x50 }, "image/png")]);

        var data = await Assert.ThrowsAsync<AiTextGenerationException>(() => client.GetResponseAsync([image]));

        var call = await Assert.ThrowsAsync<AiTextGenerationException>(() => client.GetResponseAsync([new AiChatMessage(AiChatRole.User, [new FunctionCallContent("call_1", "f")])]));

        Assert.Equal((AiErrorKind.BadInput, "messages: a user message takes text, not DataContent"), (data.Kind, data.Message));
        Assert.Equal((AiErrorKind.BadInput, "messages: a user message takes text, not FunctionCallContent"), (call.Kind, call.Message));
    }

    [Fact]
    public async Task InMicrosoftExtensionsAIsPipeline_TheOpenTelemetryClientSeesTheModelUsageAndFinishReason()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);
        const string source = "Ember.Runtime.Tests.ChatPipeline";
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = candidate => candidate.Name == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Add,
        };
        ActivitySource.AddActivityListener(listener);
        using var client = new ChatClientBuilder(Client(runtime)).UseOpenTelemetry(sourceName: source).Build();

        var response = await client.GetResponseAsync(Conversation, new ChatOptions { MaxOutputTokens = 5, Temperature = 0 });
        var streamed = await client.GetStreamingResponseAsync(Conversation, new ChatOptions { MaxOutputTokens = 5, Temperature = 0 }).ToChatResponseAsync();

        Assert.Equal(response.Text, streamed.Text);
        Assert.Equal(2, activities.Count);
        Assert.All(activities, activity =>
        {
            Assert.Equal("ember", activity.GetTagItem("gen_ai.provider.name"));
            Assert.Equal(Requests.Tiny, activity.GetTagItem("gen_ai.request.model"));
            Assert.Equal(Requests.Tiny, activity.GetTagItem("gen_ai.response.model"));
            Assert.Equal(response.Usage!.InputTokenCount, Convert.ToInt64(activity.GetTagItem("gen_ai.usage.input_tokens"), System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(5L, Convert.ToInt64(activity.GetTagItem("gen_ai.usage.output_tokens"), System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal("[\"length\"]", activity.GetTagItem("gen_ai.response.finish_reasons"));
        });
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
