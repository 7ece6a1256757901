using Ember.Models.Chat;

namespace Ember.Models.Tests.Chat;

public class ChatRolesTests
{
    [Theory]
    [InlineData("system", ChatRole.System)]
    [InlineData("user", ChatRole.User)]
    [InlineData("assistant", ChatRole.Assistant)]
    [InlineData("tool", ChatRole.Tool)]
    public void Parse_ApiName_ReturnsRole(string value, ChatRole expected)
    {
        Assert.Equal(expected, ChatRoles.Parse(value));
        Assert.True(ChatRoles.TryParse(value, out ChatRole role));
        Assert.Equal(expected, role);
    }

    [Theory]
    [InlineData("System")]
    [InlineData("USER")]
    [InlineData("function")]
    [InlineData(" user")]
    [InlineData("")]
    [InlineData(null)]
    public void TryParse_UnknownName_ReturnsFalse(string? value)
    {
        Assert.False(ChatRoles.TryParse(value, out _));
    }

    [Theory]
    [InlineData("function")]
    [InlineData("User")]
    public void Parse_UnknownName_ThrowsArgumentExceptionNamingRoles(string value)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => ChatRoles.Parse(value));

        Assert.Contains(value, error.Message, StringComparison.Ordinal);
        Assert.Contains("'assistant'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ChatRole.System, "system")]
    [InlineData(ChatRole.User, "user")]
    [InlineData(ChatRole.Assistant, "assistant")]
    [InlineData(ChatRole.Tool, "tool")]
    public void ToApiName_DefinedRole_ReturnsLowercaseName(ChatRole role, string expected)
    {
        Assert.Equal(expected, role.ToApiName());
    }

    [Fact]
    public void ToApiName_UndefinedRole_ThrowsArgumentOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ((ChatRole)9).ToApiName());
    }
}
