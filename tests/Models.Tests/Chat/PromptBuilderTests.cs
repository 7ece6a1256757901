using Ember.Models.Chat;

namespace Ember.Models.Tests.Chat;

public class PromptBuilderTests
{
    [Theory]
    [InlineData(ChatTemplateKind.Llama2Chat, "Tell me a story", "<s>[INST] Tell me a story [/INST]")]
    [InlineData(ChatTemplateKind.MistralInstruct, "Tell me a story", "<s>[INST] Tell me a story [/INST]")]
    [InlineData(ChatTemplateKind.PlainText, "def fib(n):", "<s>def fib(n):")]
    [InlineData(ChatTemplateKind.Llama2Chat, "", "<s>[INST]  [/INST]")]
    public void FromPrompt_NotRaw_RendersOneUserTurn(ChatTemplateKind kind, string prompt, string expected)
    {
        Assert.Equal(expected, PromptBuilder.FromPrompt(ChatTemplates.For(kind), prompt));
    }

    [Theory]
    [InlineData(ChatTemplateKind.Llama2Chat, "Tell me a story")]
    [InlineData(ChatTemplateKind.MistralInstruct, "<s>[INST] Hi [/INST]")]
    [InlineData(ChatTemplateKind.PlainText, "  spaced \n")]
    [InlineData(ChatTemplateKind.Llama2Chat, "")]
    public void FromPrompt_Raw_ReturnsPromptVerbatim(ChatTemplateKind kind, string prompt)
    {
        Assert.Equal(prompt, PromptBuilder.FromPrompt(ChatTemplates.For(kind), prompt, raw: true));
    }

    [Fact]
    public void FromMessages_Conversation_RendersWithTemplate()
    {
        ChatMessage[] messages = [new(ChatRole.System, "S"), new(ChatRole.User, "U")];

        Assert.Equal("<s>[INST] <<SYS>>\nS\n<</SYS>>\n\nU [/INST]", PromptBuilder.FromMessages(ChatTemplates.Llama2Chat, messages));
    }

    [Fact]
    public void FromMessages_Empty_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => PromptBuilder.FromMessages(ChatTemplates.Llama2Chat, []));
    }

    [Fact]
    public void FromPrompt_NullArguments_ThrowArgumentNull()
    {
        Assert.Throws<ArgumentNullException>(() => PromptBuilder.FromPrompt(null!, "x"));
        Assert.Throws<ArgumentNullException>(() => PromptBuilder.FromPrompt(ChatTemplates.PlainText, null!));
    }
}
