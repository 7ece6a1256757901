using Ember.Models.Chat;

namespace Ember.Models.Tests.Chat;

public class ChatTemplatesTests
{
    [Theory]
    [InlineData(ChatTemplateKind.Llama2Chat, typeof(Llama2ChatTemplate))]
    [InlineData(ChatTemplateKind.MistralInstruct, typeof(MistralInstructTemplate))]
    [InlineData(ChatTemplateKind.PlainText, typeof(PlainTextTemplate))]
    public void For_DefinedKind_ReturnsSharedTemplateOfThatKind(ChatTemplateKind kind, Type expectedType)
    {
        IChatTemplate template = ChatTemplates.For(kind);

        Assert.IsType(expectedType, template);
        Assert.Equal(kind, template.Kind);
        Assert.Same(template, ChatTemplates.For(kind));
    }

    [Fact]
    public void For_UndefinedKind_ThrowsArgumentOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ChatTemplates.For((ChatTemplateKind)99));
    }

    [Theory]
    [InlineData(ChatTemplateKind.Llama2Chat)]
    [InlineData(ChatTemplateKind.MistralInstruct)]
    [InlineData(ChatTemplateKind.PlainText)]
    public void Render_EmptyList_ThrowsArgumentException(ChatTemplateKind kind)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => ChatTemplates.For(kind).Render([]));

        Assert.Equal("messages", error.ParamName);
    }

    [Theory]
    [InlineData(ChatTemplateKind.Llama2Chat)]
    [InlineData(ChatTemplateKind.MistralInstruct)]
    [InlineData(ChatTemplateKind.PlainText)]
    public void Render_NullList_ThrowsArgumentNull(ChatTemplateKind kind)
    {
        Assert.Throws<ArgumentNullException>(() => ChatTemplates.For(kind).Render(null!));
    }

    [Theory]
    [InlineData(ChatTemplateKind.Llama2Chat)]
    [InlineData(ChatTemplateKind.MistralInstruct)]
    [InlineData(ChatTemplateKind.PlainText)]
    public void Render_NullMessage_ThrowsArgumentException(ChatTemplateKind kind)
    {
        ChatMessage[] messages = [new(ChatRole.User, "A"), null!];

        Assert.Throws<ArgumentException>(() => ChatTemplates.For(kind).Render(messages));
    }

    [Theory]
    [InlineData(ChatTemplateKind.Llama2Chat)]
    [InlineData(ChatTemplateKind.MistralInstruct)]
    [InlineData(ChatTemplateKind.PlainText)]
    public void Render_UndefinedRole_ThrowsArgumentException(ChatTemplateKind kind)
    {
        ChatMessage[] messages = [new((ChatRole)42, "A")];

        Assert.Throws<ArgumentException>(() => ChatTemplates.For(kind).Render(messages));
    }

    [Theory]
    [InlineData(ChatTemplateKind.Llama2Chat, new[] { "user:Hi" })]
    [InlineData(ChatTemplateKind.Llama2Chat, new[] { "system:S", "user:U", "assistant:A", "user:U2" })]
    [InlineData(ChatTemplateKind.Llama2Chat, new[] { "user:" })]
    [InlineData(ChatTemplateKind.MistralInstruct, new[] { "user:Hi" })]
    [InlineData(ChatTemplateKind.MistralInstruct, new[] { "system:S", "user:U", "assistant:A", "user:U2" })]
    [InlineData(ChatTemplateKind.MistralInstruct, new[] { "user:" })]
    [InlineData(ChatTemplateKind.PlainText, new[] { "user:Hi" })]
    [InlineData(ChatTemplateKind.PlainText, new[] { "user:<s>Hi" })]
    [InlineData(ChatTemplateKind.PlainText, new[] { "user:" })]
    public void Render_AnyConversation_StartsWithBosExactlyOnce(ChatTemplateKind kind, string[] messages)
    {
        string text = ChatTemplates.For(kind).Render(TestMessages.Parse(messages));

        Assert.StartsWith("<s>", text, StringComparison.Ordinal);
        Assert.False(text.StartsWith("<s><s>", StringComparison.Ordinal));
    }
}
