using Ember.Host.Wire.OpenAi;
using Ember.Runtime.Generation;

namespace Ember.Host.Tests.Wire;

/// <summary>The legacy completions <c>logprobs</c> and chat's, built from pieces: texts, offsets, bytes.</summary>
public sealed class TextLogprobsTests
{
    private static TextPiece Piece(string text, int id, string token, byte[] bytes, double logprob, params TokenLogprob[] top) =>
        new(text, id, new TokenLogprobs(new TokenLogprob(id, token, bytes, logprob), top));

    [Fact]
    public void From_MultibyteCharacterOverThreeTokens_TokensJoinUpToTheTextAndOffsetsFollowIt()
    {
        TextPiece[] pieces =
        [
            Piece(string.Empty, 229, "\uFFFD", [0xE2], -0.1),
            Piece(string.Empty, 133, "\uFFFD", [0x82], -0.2),
            Piece("€", 175, "\uFFFD", [0xAC], -0.3),
            Piece(" a", 300, " a", " a"u8.ToArray(), -0.4, new TokenLogprob(300, " a", " a"u8.ToArray(), -0.4), new TokenLogprob(301, " b", " b"u8.ToArray(), -1.5)),
        ];

        var logprobs = TextLogprobs.From(pieces, offset: 10);

        Assert.Equal("€ a", string.Concat(logprobs.Tokens));
        Assert.Equal([10, 10, 10, 11], logprobs.TextOffset);
        Assert.Equal([-0.1, -0.2, -0.3, -0.4], logprobs.TokenLogprobs);
        Assert.Equal(new Dictionary<string, double> { [" a"] = -0.4, [" b"] = -1.5 }, logprobs.TopLogprobs[3]);
        Assert.Empty(logprobs.TopLogprobs[0]);
    }

    [Fact]
    public void ChatFrom_ByteToken_KeepsItsTokenTextAndExactBytes()
    {
        var logprobs = ChatLogprobs.From([Piece(string.Empty, 229, "\uFFFD", [0xE2], -0.1)]);

        var entry = Assert.Single(logprobs.Content);
        Assert.Equal("\uFFFD", entry.Token);
        Assert.Equal([0xE2], entry.Bytes);
        Assert.Empty(entry.TopLogprobs);
        Assert.Null(logprobs.Refusal);
    }
}
