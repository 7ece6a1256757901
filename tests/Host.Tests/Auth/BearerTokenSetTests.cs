using Ember.Host.Auth;

namespace Ember.Host.Tests.Auth;

public sealed class BearerTokenSetTests
{
    [Fact]
    public void Contains_ExactTokenOnly()
    {
        var tokens = new BearerTokenSet(["alpha", "beta-2"]);

        Assert.False(tokens.IsEmpty);
        Assert.True(tokens.Contains("alpha"));
        Assert.True(tokens.Contains("beta-2"));
        Assert.False(tokens.Contains("Alpha"));
        Assert.False(tokens.Contains("alph"));
        Assert.False(tokens.Contains("alphaa"));
        Assert.False(tokens.Contains(string.Empty));
    }

    [Fact]
    public void IsEmpty_NoTokens_True()
    {
        Assert.True(new BearerTokenSet([]).IsEmpty);
        Assert.False(new BearerTokenSet([]).Contains("x"));
    }
}
