using Ember.Models.Chat;

namespace Ember.Models.Tests.Chat;

public class MistralInstructTemplateTests
{
    private readonly MistralInstructTemplate _template = new();

    [Theory]
    [InlineData(new[] { "user:Hello" }, "<s>[INST] Hello [/INST]")]
    [InlineData(new[] { "system:Be brief.", "user:Hello" }, "<s>[INST] Be brief.\n\nHello [/INST]")]
    [InlineData(
        new[] { "system:Be brief.", "user:Hello", "assistant:Hi there.", "user:And you?" },
        "<s>[INST] Be brief.\n\nHello [/INST]Hi there.</s> [INST] And you? [/INST]")]
    [InlineData(
        new[] { "user:Hello", "assistant:Hi there.", "user:And you?" },
        "<s>[INST] Hello [/INST]Hi there.</s> [INST] And you? [/INST]")]
    [InlineData(
        new[] { "user:U1", "assistant:A1", "user:U2", "assistant:A2", "user:U3" },
        "<s>[INST] U1 [/INST]A1</s> [INST] U2 [/INST]A2</s> [INST] U3 [/INST]")]
    public void Render_AlternatingConversation_MatchesMistralFormat(string[] messages, string expected)
    {
        Assert.Equal(expected, _template.Render(TestMessages.Parse(messages)));
    }

    [Theory]
    // SystemOnly
    [InlineData(new[] { "system:Be brief." }, "<s>[INST] Be brief. [/INST]")]
    // ConsecutiveUsers
    [InlineData(new[] { "user:A", "user:B" }, "<s>[INST] A\n\nB [/INST]")]
    // ConsecutiveAssistants
    [InlineData(new[] { "user:A", "assistant:B", "assistant:C", "user:D" }, "<s>[INST] A [/INST]B\n\nC</s> [INST] D [/INST]")]
    // EndsWithAssistant
    [InlineData(new[] { "user:A", "assistant:The answer is" }, "<s>[INST] A [/INST]The answer is")]
    // EndsWithEmptyAssistant
    [InlineData(new[] { "user:A", "assistant:" }, "<s>[INST] A [/INST]")]
    // EmptyUser
    [InlineData(new[] { "user:" }, "<s>[INST]  [/INST]")]
    // EmptySystem
    [InlineData(new[] { "system:", "user:A" }, "<s>[INST] A [/INST]")]
    // EmptyAssistantMidway
    [InlineData(new[] { "user:A", "assistant:", "user:B" }, "<s>[INST] A [/INST]</s> [INST] B [/INST]")]
    // ContentKept: nothing is stripped
    [InlineData(new[] { "system:  Be brief. \n", "user:\tHello  " }, "<s>[INST]   Be brief. \n\n\n\tHello   [/INST]")]
    [InlineData(new[] { "user: Hello\n", "assistant: Hi ", "user:Bye" }, "<s>[INST]  Hello\n [/INST] Hi </s> [INST] Bye [/INST]")]
    // EndsWithWhiteSpaceAssistant
    [InlineData(new[] { "user:A", "assistant: \n" }, "<s>[INST] A [/INST]")]
    // EndsWithAssistantEdges: the leading white space is kept, the trailing cut, as continue_final_message does
    [InlineData(new[] { "user:A", "assistant: Sure \n" }, "<s>[INST] A [/INST] Sure")]
    // SeveralSystems
    [InlineData(new[] { "system:X", "user:A", "system:Y" }, "<s>[INST] X\n\nY\n\nA [/INST]")]
    // LeadingAssistant
    [InlineData(new[] { "assistant:Welcome!", "user:Hi" }, "<s>[INST]  [/INST]Welcome!</s> [INST] Hi [/INST]")]
    // SystemThenAssistant
    [InlineData(new[] { "system:S", "assistant:W", "user:H" }, "<s>[INST] S [/INST]W</s> [INST] H [/INST]")]
    public void Render_EdgeCase_MatchesDefinedBehaviour(string[] messages, string expected)
    {
        Assert.Equal(expected, _template.Render(TestMessages.Parse(messages)));
    }

    [Fact]
    public void Kind_Always_IsMistralInstruct()
    {
        Assert.Equal(ChatTemplateKind.MistralInstruct, _template.Kind);
    }
}
