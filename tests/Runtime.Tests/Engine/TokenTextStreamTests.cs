using System.Text;
using Ember.Runtime.Engine;
using Ember.Tests.Shared;

namespace Ember.Runtime.Tests.Engine;

/// <summary>
/// The detokenizer on the real Llama 2 vocabulary (<c>&lt;0xNN&gt;</c> is id 3 + NN, <c>▁Hello</c> 15043, <c>▁world</c>
/// 3186): the text is the UTF-8 decoding of the tokens' bytes, with U+FFFD for each maximal ill-formed part as Python's
/// <c>bytes.decode("utf-8", errors="replace")</c> gives, a character is held until its last byte, and no valid text is lost
/// (ORT GenAI's own stream gave "ello" for <c>&lt;0xE4&gt; ▁Hello</c>).
/// </summary>
public sealed class TokenTextStreamTests
{
    private const int Hello = 15043;
    private const int World = 3186;
    private const int Bos = 1;
    private const int Eos = 2;

    public static TheoryData<int[], string[], string> Cases => new()
    {
        { [Hello], [" Hello"], "" },
        { [Hello, World], [" Hello", " world"], "" },
        { [B(0xE4), B(0xBD), B(0xA0)], ["", "", "你"], "" },
        { [B(0xF0), B(0x9F), B(0x98), B(0x80)], ["", "", "", "😀"], "" },
        { [B(0xC3), B(0xA9), Hello], ["", "é", " Hello"], "" },
        { [B(0xE4), Hello], ["", "\uFFFD Hello"], "" },
        { [B(0xE4), B(0xBD), Hello], ["", "", "\uFFFD Hello"], "" },
        { [B(0xF0), B(0x9F), B(0x98), Hello], ["", "", "", "\uFFFD Hello"], "" },
        { [B(0xFF), Hello], ["\uFFFD", " Hello"], "" },
        { [B(0x80), Hello], ["\uFFFD", " Hello"], "" },
        { [B(0xE4), B(0xE4), B(0xBD), B(0xA0)], ["", "\uFFFD", "", "你"], "" },
        { [B(0xC0), B(0x80)], ["\uFFFD", "\uFFFD"], "" },
        { [B(0xED), B(0xA0), B(0x80)], ["", "\uFFFD\uFFFD", "\uFFFD"], "" },
        { [Hello, B(0xE4)], [" Hello", ""], "\uFFFD" },
        { [B(0xE4), B(0xBD)], ["", ""], "\uFFFD" },
        { [B(0xE4), Eos, B(0xBD), B(0xA0)], ["", "", "", "你"], "" },
        { [Bos, Hello], ["", " Hello"], "" },
        { [B(0x20), Hello], [" ", " Hello"], "" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Decode_RealLlama2Tokens_PiecesAreTheUtf8OfTheirBytesWithReplacement(int[] tokens, string[] pieces, string flushed)
    {
        var vocabulary = TokenVocabulary.Read(await RealTokenizers.Llama2Async());
        using var stream = new TokenTextStream(vocabulary);

        var decoded = tokens.Select(stream.Decode).ToArray();
        var rest = stream.Flush();

        Assert.Equal(pieces, decoded);
        Assert.Equal(flushed, rest);
        var bytes = tokens.Where(token => !vocabulary.IsSpecial(token)).SelectMany(token => vocabulary.BytesOf(token).ToArray()).ToArray();
        Assert.Equal(Encoding.UTF8.GetString(bytes), string.Concat(decoded) + rest);
    }

    [Fact]
    public async Task Flush_AfterFlush_StartsAfresh()
    {
        using var stream = new TokenTextStream(TokenVocabulary.Read(await RealTokenizers.Llama2Async()));

        Assert.Equal(string.Empty, stream.Decode(B(0xE4)));
        Assert.Equal("\uFFFD", stream.Flush());
        Assert.Equal(string.Empty, stream.Flush());
        Assert.Equal(" Hello", stream.Decode(Hello));
    }

    private static int B(int value) => 3 + value;
}
