using System.Text.Json;
using Ember.Models.Chat;
using Ember.Runtime.Generation;
using Ember.Runtime.Structured;

namespace Ember.Runtime.Tests.Structured;

public sealed class ToolCallConstraintTests
{
    private static readonly ChatTool[] Tools =
    [
        new("get_weather", null, JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""").RootElement.Clone()),
        new("now", null, null),
    ];

    [Theory]
    [InlineData("""[TOOL_CALLS][{"name":"now","arguments":{}}]""", "complete final")]
    [InlineData("""  [TOOL_CALLS][{"name":"get_weather","arguments":{"city":"Oslo"}}]""", "complete final")]
    [InlineData("""[TOOL_CALLS][{"name":"now","arguments":{}},{"name":"now","arguments":{}}]""", "complete final")]
    [InlineData("""[TOOL_CALLS][]""", "rejected at 13")]
    [InlineData("""[TOOL_CALLS][{"name":"other","arguments":{}}]""", "rejected at 22")]
    [InlineData("""[TOOL_CALLS][{"name":"get_weather","arguments":{}}]""", "rejected at 48")]
    [InlineData("""[TOOL_CALLS] [""", "rejected at 12")]
    [InlineData("""   [TOOL_CALLS]""", "rejected at 2")]
    [InlineData("""Sure""", "rejected at 0")]
    [InlineData("""[TOOL_CALLS][{"name":"now","arguments":{}}""", "incomplete")]
    public void Feed_Required_TakesOnlyTheMarkerAndCallsOfTheTools(string text, string expected)
    {
        var constraint = ConstraintFactory.CreateForTools(Tools, ToolChoice.Required, parallel: true);

        Assert.Equal(expected, ConstraintRun.Feed(constraint, text));
    }

    [Theory]
    [InlineData("""[TOOL_CALLS][{"name":"now","arguments":{}}]""", "complete final")]
    [InlineData("""[TOOL_CALLS][{"name":"now","arguments":{}},""", "rejected at 42")]
    public void Feed_NotParallel_TakesOneCall(string text, string expected)
    {
        Assert.Equal(expected, ConstraintRun.Feed(ConstraintFactory.CreateForTools(Tools, ToolChoice.Auto, parallel: false), text));
    }

    [Fact]
    public void Feed_NamedTool_TakesOnlyThatName()
    {
        var constraint = ConstraintFactory.CreateForTools(Tools, ToolChoice.Function("get_weather"), parallel: true);

        Assert.Equal("rejected at 22", ConstraintRun.Feed(constraint, """[TOOL_CALLS][{"name":"now","arguments":{}}]"""));
    }

    [Theory]
    [InlineData("Sure, it is sunny.")]
    [InlineData("[TOOL] is not the marker")]
    [InlineData(" [")]
    [InlineData("")]
    public void Feed_AutoText_IsFreeAndComplete(string text)
    {
        var constraint = ConstraintFactory.CreateForTools(Tools, ToolChoice.Auto, parallel: true);

        Assert.Equal("complete", ConstraintRun.Feed(constraint, text));
    }

    [Fact]
    public void IsUnconstrained_AutoOnceTheMarkerIsLeft_IsTrue()
    {
        var constraint = ConstraintFactory.CreateForTools(Tools, ToolChoice.Auto, parallel: true);

        var state = constraint.Advance(constraint.Start, (byte)'[')!;
        Assert.False(constraint.IsUnconstrained(state));
        Assert.True(constraint.IsUnconstrained(constraint.Advance(state, (byte)'x')!));
    }

    [Theory]
    [InlineData("""{"type":"object","properties":{"x":{"type":"string","format":"email"}}}""", "tools[1].function.parameters (schema /properties/x): 'format' is not supported")]
    [InlineData("""{"type":"string"}""", "tools[1].function.parameters: 'parameters' must describe an object")]
    public void CreateForTools_ParametersOutsideTheSubset_IsBadInputNamingTheToolAndKeyword(string parameters, string message)
    {
        ChatTool[] tools = [Tools[1], new("bad", null, JsonDocument.Parse(parameters).RootElement.Clone())];

        var error = Assert.Throws<AiTextGenerationException>(() => ConstraintFactory.CreateForTools(tools, ToolChoice.Auto, parallel: true));

        Assert.Equal((AiErrorKind.BadInput, message), (error.Kind, error.Message));
    }
}
