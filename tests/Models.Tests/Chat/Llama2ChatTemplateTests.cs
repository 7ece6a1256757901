using Ember.Models.Chat;

namespace Ember.Models.Tests.Chat;

public class Llama2ChatTemplateTests
{
    private readonly Llama2ChatTemplate _template = new();

    [Theory]
    [InlineData(new[] { "user:Hello" }, "<s>[INST] Hello [/INST]")]
    [InlineData(new[] { "system:Be brief.", "user:Hello" }, "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHello [/INST]")]
    [InlineData(
        new[] { "system:Be brief.", "user:Hello", "assistant:Hi there.", "user:And you?" },
        "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHello [/INST] Hi there. </s><s>[INST] And you? [/INST]")]
    [InlineData(
        new[] { "user:Hello", "assistant:Hi there.", "user:And you?" },
        "<s>[INST] Hello [/INST] Hi there. </s><s>[INST] And you? [/INST]")]
    [InlineData(
        new[] { "system:S", "user:U1", "assistant:A1", "user:U2", "assistant:A2", "user:U3" },
        "<s>[INST] <<SYS>>\nS\n<</SYS>>\n\nU1 [/INST] A1 </s><s>[INST] U2 [/INST] A2 </s><s>[INST] U3 [/INST]")]
    public void Render_AlternatingConversation_MatchesMetaFormat(string[] messages, string expected)
    {
        Assert.Equal(expected, _template.Render(TestMessages.Parse(messages)));
    }

    [Theory]
    // SystemOnly
    [InlineData(new[] { "system:Be brief." }, "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>> [/INST]")]
    // ConsecutiveUsers
    [InlineData(new[] { "user:A", "user:B" }, "<s>[INST] A\n\nB [/INST]")]
    // ConsecutiveAssistants
    [InlineData(new[] { "user:A", "assistant:B", "assistant:C", "user:D" }, "<s>[INST] A [/INST] B\n\nC </s><s>[INST] D [/INST]")]
    // EndsWithAssistant
    [InlineData(new[] { "user:A", "assistant:The answer is" }, "<s>[INST] A [/INST] The answer is")]
    // EndsWithEmptyAssistant
    [InlineData(new[] { "user:A", "assistant:" }, "<s>[INST] A [/INST]")]
    // EmptyUser
    [InlineData(new[] { "user:" }, "<s>[INST]  [/INST]")]
    // EmptySystem: the block is kept, as Python's Jinja2 keeps it ('' != false)
    [InlineData(new[] { "system:", "user:A" }, "<s>[INST] <<SYS>>\n\n<</SYS>>\n\nA [/INST]")]
    // WhitespaceSystem
    [InlineData(new[] { "system: \n ", "user:A" }, "<s>[INST] <<SYS>>\n \n \n<</SYS>>\n\nA [/INST]")]
    // EmptyAssistantMidway
    [InlineData(new[] { "user:A", "assistant:", "user:B" }, "<s>[INST] A [/INST]  </s><s>[INST] B [/INST]")]
    // EmptyUserInRun
    [InlineData(new[] { "user:A", "user:", "user:B" }, "<s>[INST] A\n\nB [/INST]")]
    // ContentStrippedAsAWhole: the first user message with the system block is stripped as one text
    [InlineData(new[] { "system:  Be brief. \n", "user:\tHello  " }, "<s>[INST] <<SYS>>\n  Be brief. \n\n<</SYS>>\n\n\tHello [/INST]")]
    // ContentStripped
    [InlineData(new[] { "user:\tHello  ", "assistant: Hi\n", "user:\u001FBye\u00A0" }, "<s>[INST] Hello [/INST] Hi </s><s>[INST] Bye [/INST]")]
    // EndsWithWhiteSpaceAssistant
    [InlineData(new[] { "user:A", "assistant: \n" }, "<s>[INST] A [/INST]")]
    // EndsWithAssistantTrailingSpace: kept, as transformers' continue_final_message keeps it here
    [InlineData(new[] { "user:A", "assistant:The answer is " }, "<s>[INST] A [/INST] The answer is ")]
    // SeveralSystems
    [InlineData(new[] { "system:X", "user:A", "system:Y" }, "<s>[INST] <<SYS>>\nX\n\nY\n<</SYS>>\n\nA [/INST]")]
    // SystemBetweenUsers
    [InlineData(new[] { "user:A", "system:S", "user:B" }, "<s>[INST] <<SYS>>\nS\n<</SYS>>\n\nA\n\nB [/INST]")]
    // LeadingAssistant
    [InlineData(new[] { "assistant:Welcome!", "user:Hi" }, "<s>[INST]  [/INST] Welcome! </s><s>[INST] Hi [/INST]")]
    // SystemThenAssistant
    [InlineData(new[] { "system:S", "assistant:W", "user:H" }, "<s>[INST] <<SYS>>\nS\n<</SYS>> [/INST] W </s><s>[INST] H [/INST]")]
    // InnerNewlinesKept
    [InlineData(new[] { "user:line 1\nline 2" }, "<s>[INST] line 1\nline 2 [/INST]")]
    public void Render_EdgeCase_MatchesDefinedBehaviour(string[] messages, string expected)
    {
        Assert.Equal(expected, _template.Render(TestMessages.Parse(messages)));
    }

    [Fact]
    public void Kind_Always_IsLlama2Chat()
    {
        Assert.Equal(ChatTemplateKind.Llama2Chat, _template.Kind);
    }
}
