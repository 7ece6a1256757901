using System.Text.Json;
using Ember.Models.Chat;

namespace Ember.Models.Tests.Chat;

public sealed class ToolPromptTests
{
    private static readonly ChatTool Weather = new("get_weather", "The weather in a city.", JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""").RootElement.Clone());

    private static readonly ChatMessage[] RoundTrip =
    [
        new(ChatRole.System, "Be brief."),
        new(ChatRole.User, "Weather in Paris?"),
        new(ChatRole.Assistant, string.Empty) { ToolCalls = [new ChatToolCall("call_1", "get_weather", """{ "city": "Paris" }""")] },
        new(ChatRole.Tool, "22°C") { ToolCallId = "call_1" },
    ];

    private const string Tools = """[AVAILABLE_TOOLS][{"type":"function","function":{"name":"get_weather","description":"The weather in a city.","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}][/AVAILABLE_TOOLS]""" + "\n" + ToolPrompt.Instructions;
    private const string Call = """[TOOL_CALLS][{"name":"get_weather","arguments":{"city":"Paris"}}]""";
    private const string Result = """[TOOL_RESULTS]{"name":"get_weather","content":"22°C"}[/TOOL_RESULTS]""";

    [Fact]
    public void FromMessages_Llama2_WritesToolsInTheSystemBlockCallsAsTheAnswerAndResultsAsAUserTurn()
    {
        Assert.Equal(
            "<s>[INST] <<SYS>>\nBe brief.\n\n" + Tools + "\n<</SYS>>\n\nWeather in Paris? [/INST] " + Call + " </s><s>[INST] " + Result + " [/INST]",
            PromptBuilder.FromMessages(ChatTemplates.Llama2Chat, RoundTrip, [Weather]));
    }

    [Fact]
    public void FromMessages_Mistral_WritesToolsBeforeTheFirstUserText()
    {
        Assert.Equal(
            "<s>[INST] Be brief.\n\n" + Tools + "\n\nWeather in Paris? [/INST]" + Call + "</s> [INST] " + Result + " [/INST]",
            PromptBuilder.FromMessages(ChatTemplates.MistralInstruct, RoundTrip, [Weather]));
    }

    [Fact]
    public void FromMessages_PlainText_WritesEachPartInOrder()
    {
        Assert.Equal(
            "<s>Be brief.\n\n" + Tools + "\n\nWeather in Paris?\n\n" + Call + "\n\n" + Result,
            PromptBuilder.FromMessages(ChatTemplates.PlainText, RoundTrip, [Weather]));
    }

    [Fact]
    public void Rewrite_NoToolsNorCalls_IsTheSameList()
    {
        ChatMessage[] messages = [new(ChatRole.User, "Hi")];

        Assert.Same(messages, ToolPrompt.Rewrite(messages, null));
    }

    [Theory]
    [InlineData("call_2", "messages[1].tool_call_id: answers no call of an earlier assistant message")]
    [InlineData(null, "messages[1].tool_call_id: answers no call of an earlier assistant message")]
    public void Rewrite_ToolMessageWithNoMatchingCall_ThrowsNamingTheField(string? id, string message)
    {
        ChatMessage[] messages = [new(ChatRole.User, "Hi"), new(ChatRole.Tool, "x") { ToolCallId = id }];

        var error = Assert.Throws<ArgumentException>(() => ToolPrompt.Rewrite(messages, null));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ToolMessageWithoutPromptBuilder_Throws()
    {
        Assert.Throws<ArgumentException>(() => ChatTemplates.Llama2Chat.Render([new ChatMessage(ChatRole.Tool, "x") { ToolCallId = "a" }]));
    }
}
