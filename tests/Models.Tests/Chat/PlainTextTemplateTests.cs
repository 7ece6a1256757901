using Ember.Models.Chat;

namespace Ember.Models.Tests.Chat;

public class PlainTextTemplateTests
{
    private readonly PlainTextTemplate _template = new();

    [Theory]
    // SinglePromptVerbatim
    [InlineData(new[] { "user:def fib(n):\n" }, "<s>def fib(n):\n")]
    // WhitespaceKept
    [InlineData(new[] { "user:  x = 1 \n" }, "<s>  x = 1 \n")]
    // SystemAndUser
    [InlineData(new[] { "system:# Python 3", "user:def f():" }, "<s># Python 3\n\ndef f():")]
    // FullConversation
    [InlineData(new[] { "system:S", "user:U1", "assistant:A1", "user:U2" },
        "<s>S\n\nU1\n\nA1\n\nU2")]
    // SystemOnly
    [InlineData(new[] { "system:S" }, "<s>S")]
    // EndsWithAssistant
    [InlineData(new[] { "user:U", "assistant:A" }, "<s>U\n\nA")]
    // EmptyContent
    [InlineData(new[] { "user:" }, "<s>")]
    // EmptyContentSkipped
    [InlineData(new[] { "user:A", "user:", "assistant:B" }, "<s>A\n\nB")]
    // AlreadyStartsWithBos
    [InlineData(new[] { "user:<s>x" }, "<s>x")]
    // BosLaterNotSpecial
    [InlineData(new[] { "user: <s>x" }, "<s> <s>x")]
    public void Render_Case_MatchesDefinedBehaviour(string[] messages, string expected)
    {
        Assert.Equal(expected, _template.Render(TestMessages.Parse(messages)));
    }

    [Fact]
    public void Kind_Always_IsPlainText()
    {
        Assert.Equal(ChatTemplateKind.PlainText, _template.Kind);
    }
}
