using System.Text.Json;
using System.Text.RegularExpressions;
using Ember.Runtime.Generation;
using Microsoft.Extensions.AI;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AiChatRole = Microsoft.Extensions.AI.ChatRole;
using EmberChatMessage = Ember.Models.Chat.ChatMessage;
using EmberChatRole = Ember.Models.Chat.ChatRole;

namespace Ember.Runtime.Tests.Generation;

/// <summary><see cref="EmberChatClient"/>'s tools: real <see cref="AIFunction"/>s under <c>UseFunctionInvocation()</c> on the tiny model.</summary>
[Collection(RuntimeTestGroup.Name)]
public sealed partial class EmberChatClientToolTests(TinyModelFixture models)
{
    private const int MaxTokens = 80;
    private static readonly AiChatMessage[] Question = [new(AiChatRole.User, "Weather in Paris?")];

    /// <summary>A tool's argument with two values, so that the call under the grammar is short.</summary>
    public enum City
    {
        /// <summary>Paris.</summary>
        Paris,

        /// <summary>Rome.</summary>
        Rome,
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UseFunctionInvocation_InvokesTheFunctionWithValidArguments_AndAnswersAfterItsResult(bool stream)
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);
        var cities = new List<City>();
        var weather = AIFunctionFactory.Create((City city) => { cities.Add(city); return "22 C"; }, "get_weather", "The weather in a city.");
        using var client = new ChatClientBuilder(new EmberChatClient(runtime.Generation, Requests.Tiny)).UseFunctionInvocation().Build();
        // Required for the first answer only: FunctionInvokingChatClient asks again with the tool mode cleared (auto).
        var options = new ChatOptions { Tools = [weather], ToolMode = ChatToolMode.RequireSpecific("get_weather"), AllowMultipleToolCalls = false, Temperature = 0, MaxOutputTokens = MaxTokens };

        var response = stream
            ? await client.GetStreamingResponseAsync(Question, options).ToChatResponseAsync()
            : await client.GetResponseAsync(Question, options);

        Assert.Equal([City.Paris], cities);
        Assert.Equal([AiChatRole.Assistant, AiChatRole.Tool, AiChatRole.Assistant], response.Messages.Select(message => message.Role));
        var call = Assert.IsType<FunctionCallContent>(Assert.Single(response.Messages[0].Contents));
        Assert.Matches(CallId(), call.CallId);
        Assert.Equal(("get_weather", "{\"city\":\"Paris\"}"), (call.Name, JsonSerializer.Serialize(call.Arguments)));
        var result = Assert.IsType<FunctionResultContent>(Assert.Single(response.Messages[1].Contents));
        Assert.Equal((call.CallId, "22 C"), (result.CallId, result.Result?.ToString()));
        // The answer is the runtime's to the same conversation written as Ember's messages: the history maps exactly.
        var expected = await runtime.Generation.RunAsync(
            Requests.Tiny,
            new TextGenerationRequest
            {
                Messages =
                [
                    new(EmberChatRole.User, "Weather in Paris?"),
                    new(EmberChatRole.Assistant, string.Empty) { ToolCalls = [new(call.CallId, "get_weather", "{\"city\":\"Paris\"}")] },
                    new(EmberChatRole.Tool, "22 C") { ToolCallId = call.CallId },
                ],
                Tools = [new("get_weather", "The weather in a city.", weather.JsonSchema)],
                ParallelToolCalls = false,
                Temperature = 0,
                MaxTokens = MaxTokens,
            },
            CancellationToken.None);
        Assert.Equal(expected.Response, response.Messages[2].Text);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ARequiredTool_IsAnsweredWithOneFunctionCallContent_FinishingAsToolCalls(bool stream)
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);
        var weather = AIFunctionFactory.Create((City city) => "22 C", "get_weather");
        var client = new EmberChatClient(runtime.Generation, Requests.Tiny);
        var options = new ChatOptions { Tools = [weather], ToolMode = ChatToolMode.RequireAny, AllowMultipleToolCalls = false, Temperature = 0, MaxOutputTokens = MaxTokens };

        var response = stream
            ? await client.GetStreamingResponseAsync(Question, options).ToChatResponseAsync()
            : await client.GetResponseAsync(Question, options);

        var call = Assert.IsType<FunctionCallContent>(Assert.Single(Assert.Single(response.Messages).Contents));
        Assert.Equal(("get_weather", "{\"city\":\"Paris\"}"), (call.Name, JsonSerializer.Serialize(call.Arguments)));
        Assert.Equal(string.Empty, response.Text);
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
    }

    [Fact]
    public async Task ACallCutByMaxOutputTokens_IsNoCall()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);
        var weather = AIFunctionFactory.Create((City city) => "22 C", "get_weather");
        var options = new ChatOptions { Tools = [weather], ToolMode = ChatToolMode.RequireAny, Temperature = 0, MaxOutputTokens = 20 };

        var response = await new EmberChatClient(runtime.Generation, Requests.Tiny).GetResponseAsync(Question, options);

        Assert.Equal((string.Empty, ChatFinishReason.Length), (response.Text, response.FinishReason));
        Assert.Empty(response.Messages.SelectMany(message => message.Contents).OfType<FunctionCallContent>());
    }

    [Fact]
    public async Task ToolsOtherThanFunctions_AndToolMessagesOfText_AreBadInput()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);
        var client = new EmberChatClient(runtime.Generation, Requests.Tiny);

        var search = await Assert.ThrowsAsync<AiTextGenerationException>(() => client.GetResponseAsync(Question, new ChatOptions { Tools = [new HostedWebSearchTool()] }));
        var text = await Assert.ThrowsAsync<AiTextGenerationException>(() => client.GetResponseAsync([new AiChatMessage(AiChatRole.Tool, "x")]));
        var unanswered = await Assert.ThrowsAsync<AiTextGenerationException>(() => client.GetResponseAsync([.. Question, new AiChatMessage(AiChatRole.Tool, [new FunctionResultContent("call_1", "22 C")])]));

        Assert.Equal((AiErrorKind.BadInput, "tools: only functions are supported, not HostedWebSearchTool ('web_search')"), (search.Kind, search.Message));
        Assert.Equal((AiErrorKind.BadInput, "messages: a tool message takes function results, not TextContent"), (text.Kind, text.Message));
        Assert.Equal((AiErrorKind.BadInput, "Invalid input: messages[1].tool_call_id: answers no call of an earlier assistant message (Parameter 'messages')"), (unanswered.Kind, unanswered.Message));
    }

    [GeneratedRegex("^call_[0-9a-f]{24}$")]
    private static partial Regex CallId();
}
