using Ember.Host.Auth;

namespace Ember.Host.Tests.Auth;

public sealed class ListenAddressGuardTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8787", true)]
    [InlineData("http://127.0.0.2:80", true)]
    [InlineData("http://localhost:5000", true)]
    [InlineData("https://LOCALHOST:5001", true)]
    [InlineData("http://[::1]:8787", true)]
    [InlineData("http://0.0.0.0:8787", false)]
    [InlineData("http://[::]:8787", false)]
    [InlineData("http://*:8787", false)]
    [InlineData("http://+:8787", false)]
    [InlineData("http://192.168.1.10:8787", false)]
    [InlineData("http://example.com:80", false)]
    public void IsLoopback_Address_Classified(string address, bool loopback)
    {
        Assert.Equal(loopback, ListenAddressGuard.IsLoopback(address));
    }

    [Fact]
    public void AllLoopback_Empty_IsFalse()
    {
        Assert.False(ListenAddressGuard.AllLoopback([]));
        Assert.True(ListenAddressGuard.AllLoopback(["http://127.0.0.1:1", "http://[::1]:1"]));
        Assert.False(ListenAddressGuard.AllLoopback(["http://127.0.0.1:1", "http://0.0.0.0:1"]));
    }
}
