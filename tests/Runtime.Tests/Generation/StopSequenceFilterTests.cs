using Ember.Runtime.Generation;

namespace Ember.Runtime.Tests.Generation;

public sealed class StopSequenceFilterTests
{
    [Theory]
    [InlineData(new[] { "Hello", " wor", "ld" }, new[] { "world" }, "Hello ", true)]
    [InlineData(new[] { "ab", "c", "d" }, new[] { "cd" }, "ab", true)]
    [InlineData(new[] { "a<", "/", "s", ">" }, new[] { "</s>" }, "a", true)]
    [InlineData(new[] { "a<", "b" }, new[] { "</s>" }, "a<b", false)]
    [InlineData(new[] { "xyz" }, new[] { "z", "y" }, "x", true)]
    [InlineData(new[] { "abc" }, new string[0], "abc", false)]
    [InlineData(new[] { "ab", "ab" }, new[] { "abx" }, "abab", false)]
    [InlineData(new[] { "STOP" }, new[] { "STOP" }, "", true)]
    [InlineData(new[] { "caf", "é 日", "本語" }, new[] { "日本" }, "café ", true)]
    [InlineData(new[] { "a😀", "b" }, new[] { "😀b" }, "a", true)]
    [InlineData(new[] { "x😀" }, new[] { "😀😀" }, "x😀", false)]
    public void Push_Pieces_CutAtFirstStop(string[] pieces, string[] stops, string expected, bool stopped)
    {
        var filter = new StopSequenceFilter(stops);
        string text = string.Empty;
        foreach (string piece in pieces)
        {
            text += filter.Push(piece);
            if (filter.Stopped)
            {
                break;
            }
        }

        text += filter.Flush();
        Assert.Equal(expected, text);
        Assert.Equal(stopped, filter.Stopped);
    }

    [Fact]
    public void Push_PossibleStopPrefix_IsHeldBackUntilDecided()
    {
        var filter = new StopSequenceFilter(["END"]);

        Assert.Equal("a", filter.Push("aE"));
        Assert.Equal(string.Empty, filter.Push("N"));
        Assert.Equal("ENx", filter.Push("x"));
        Assert.Equal("b", filter.Push("bEND tail"));
        Assert.True(filter.Stopped);
        Assert.Equal(string.Empty, filter.Push("more"));
    }
}
