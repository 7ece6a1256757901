using Ember.Host.Validation;

namespace Ember.Host.Tests.Validation;

/// <summary>Which query strings <see cref="QueryStringMiddleware"/> lets through: percent-encoded UTF-8 without control characters.</summary>
public sealed class QueryStringTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("?queueRequest=true")]
    [InlineData("?search=tiny&per_page=1&page=2")]
    [InlineData("?model=%40cf%2Fmeta%2Fllama-2-7b-chat-int8")]
    [InlineData("?q=caf%C3%A9+au+lait")]
    [InlineData("?q=%F0%9F%94%A5")]
    [InlineData("?a=%20%7E%25")]
    public void IsWellFormed_PercentEncodedUtf8_IsTrue(string? query)
    {
        Assert.True(QueryStringMiddleware.IsWellFormed(query));
    }

    [Theory]
    [InlineData("?x=%00")]
    [InlineData("?queueRequest=%00")]
    [InlineData("?x=%1F")]
    [InlineData("?x=%7f")]
    [InlineData("?x=%0A")]
    [InlineData("?x=\u0001")]
    [InlineData("?x=\t")]
    [InlineData("?x=\u007F")]
    [InlineData("?x=%zz")]
    [InlineData("?x=%")]
    [InlineData("?x=%4")]
    [InlineData("?x=%FF")]
    [InlineData("?x=%C0%80")]
    [InlineData("?x=%ED%A0%80")]
    public void IsWellFormed_BadEscapeControlOrNotUtf8_IsFalse(string query)
    {
        Assert.False(QueryStringMiddleware.IsWellFormed(query));
    }
}
