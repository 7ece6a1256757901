using Ember.Models.Chat;

namespace Ember.Models.Tests.Chat;

public class ChatMessageTests
{
    [Fact]
    public void Constructor_NullContent_ThrowsArgumentNull()
    {
        Assert.Throws<ArgumentNullException>(() => new ChatMessage(ChatRole.User, null!));
    }

    [Fact]
    public void Equals_SameRoleAndContent_IsTrue()
    {
        Assert.Equal(new ChatMessage(ChatRole.User, "a"), new ChatMessage(ChatRole.User, "a"));
    }
}
