using Ember.Runtime.Engine;

namespace Ember.Runtime.Tests.Engine;

/// <summary>
/// What Ember's token stream (<see cref="GenAIModel.CreateStream"/>, one id at a time, as the schedulers decode) gives
/// with Llama 2's real tokenizer, beside Hugging Face's decoding of the same ids.
/// </summary>
/// <remarks>
/// Whole characters come out whole, with a word piece's leading space even first in the stream or after <c>&lt;s&gt;</c>
/// (the stream decodes generated tokens, which follow a prompt); bytes that are not UTF-8 become one U+FFFD per
/// ill-formed part and the text after them goes on. ORT GenAI 0.18's own stream, which Ember used before, lost text
/// after such bytes (<c>&lt;0xE6&gt; ▁the</c> gave <c>"", "he"</c>; an unfinished emoji before <c>▁Hello</c> gave
/// <c>"Hello"</c>) and dropped the leading space after <c>&lt;s&gt;</c>.
/// </remarks>
[Collection(RealTokenizerGroup.Name)]
public sealed class RealTokenizerStreamTests(RealTokenizerFixture tokenizers)
{
    private const int Bos = 1;
    private const int Hello = 15043; // ▁Hello
    private const int The = 278; // ▁the

    /// <summary>The byte tokens <c>&lt;0xNN&gt;</c> of <paramref name="bytes"/> (id 3 + NN).</summary>
    private static int[] ByteTokens(params byte[] bytes) => [.. bytes.Select(value => 3 + value)];

    [Fact]
    public void Decode_EmojiAsFourByteTokens_IsEmptyUntilTheLastByte()
    {
        var ids = ByteTokens(0xF0, 0x9F, 0x98, 0x80);

        Assert.Equal(["", "", "", "😀"], StreamDecode(ids));
        Assert.Equal("😀", tokenizers.Llama2.HuggingFaceDecode(ids));
    }

    [Fact]
    public void Decode_WordPieceFirstInStream_KeepsItsLeadingSpace()
    {
        Assert.Equal([" Hello"], StreamDecode(Hello));
        Assert.Equal([" Hello", " world"], StreamDecode(Hello, 3186));
        Assert.Equal("Hello", tokenizers.Llama2.HuggingFaceDecode(Hello));
    }

    [Fact]
    public void Decode_WordPieceAfterBos_KeepsItsLeadingSpace()
    {
        Assert.Equal(["", " Hello"], StreamDecode(Bos, Hello));
        Assert.Equal(["", " ", " Hello"], StreamDecode(Bos, 29871, Hello));
        Assert.Equal("Hello", tokenizers.Llama2.HuggingFaceDecode(Bos, Hello));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Decode_SpecialToken_IsEmpty(int id)
    {
        Assert.Equal([""], StreamDecode(id));
    }

    [Fact]
    public void Decode_InvalidByteThenWord_IsOneReplacementThenTheWord()
    {
        int[] ids = [.. ByteTokens(0xE6), The];

        Assert.Equal(["", "\uFFFD the"], StreamDecode(ids));
        Assert.Equal(["", "", "\uFFFD the"], StreamDecode(ids[0], Bos, The));
        Assert.Equal("\uFFFD the", tokenizers.Llama2.HuggingFaceDecode(ids));
    }

    [Fact]
    public void Decode_UnfinishedEmojiThenWord_IsOneReplacementThenTheWord()
    {
        int[] ids = [.. ByteTokens(0xF0, 0x9F, 0x98), Hello];

        Assert.Equal(["", "", "", "\uFFFD Hello"], StreamDecode(ids));
        Assert.Equal("\uFFFD\uFFFD\uFFFD Hello", tokenizers.Llama2.HuggingFaceDecode(ids));
    }

    /// <summary>What a fresh token stream gives for each of <paramref name="ids"/> in turn.</summary>
    private string[] StreamDecode(params int[] ids)
    {
        var stream = tokenizers.Llama2.Ember.CreateStream();
        try
        {
            return [.. ids.Select(stream.Decode)];
        }
        finally
        {
            NativeObjectCounter.Release(stream);
        }
    }
}
