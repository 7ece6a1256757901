using Ember.Models.Chat;

namespace Ember.Models.Tests.Chat;

public class PythonStringsTests
{
    [Fact]
    public void IsWhiteSpace_EveryChar_IsPythonsStrIsSpace()
    {
        // Python 3: [c for c in range(0x10000) if chr(c).isspace()]
        HashSet<char> python = [.. OfficialTemplates.PythonWhiteSpace];

        for (int c = char.MinValue; c <= char.MaxValue; c++)
        {
            Assert.True(python.Contains((char)c) == PythonStrings.IsWhiteSpace((char)c), $"U+{c:X4}");
        }
    }

    [Theory]
    [InlineData("", "", "", "")]
    [InlineData(" \t\n", "", "", "")]
    [InlineData("  a b  ", "a b", "a b  ", "  a b")]
    [InlineData("\u001Fx\u0085", "x", "x\u0085", "\u001Fx")]
    [InlineData("\uFEFFx\u200B", "\uFEFFx\u200B", "\uFEFFx\u200B", "\uFEFFx\u200B")]
    [InlineData("\u3000x\u2029", "x", "x\u2029", "\u3000x")]
    public void Strip_Text_StripsAsPython(string text, string strip, string lstrip, string rstrip)
    {
        Assert.Equal(strip, PythonStrings.Strip(text));
        Assert.Equal(lstrip, PythonStrings.LStrip(text));
        Assert.Equal(rstrip, PythonStrings.RStrip(text));
    }
}
