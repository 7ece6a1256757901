using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ember.Runtime.Engine;

namespace Ember.Runtime.Tests.Engine;

/// <summary>
/// <see cref="TokenVocabulary"/> on the real Llama 2 and Mistral tokenizers: every id's bytes, checked against this
/// test's own reading of <c>tokenizer.json</c> and against Hugging Face's decoding of the id.
/// </summary>
[Collection(RealTokenizerGroup.Name)]
public sealed partial class TokenVocabularyRealTests(RealTokenizerFixture tokenizers)
{

    [Theory]
    [InlineData("llama-2", 29871)]
    [InlineData("mistral", 28705)]
    public void BytesOf_EveryId_IsThePiecesBytesAsHuggingFaceDecodesThem(string tokenizer, int spaceId)
    {
        var real = tokenizers[tokenizer];
        var pieces = Pieces(real.Folder);
        Assert.Equal(spaceId, Array.IndexOf(pieces, "▁"));

        var vocabulary = TokenVocabulary.Read(real.Folder);

        Assert.Equal(RealTokenizer.VocabularySize, vocabulary.Count);
        var mismatches = new List<string>();
        for (var id = 0; id < RealTokenizer.VocabularySize; id++)
        {
            var bytes = vocabulary.BytesOf(id).ToArray();
            var expected = ExpectedBytes(pieces[id]);
            if (!bytes.SequenceEqual(expected))
            {
                mismatches.Add($"{id} {pieces[id]}: [{Convert.ToHexString(bytes)}], expected [{Convert.ToHexString(expected)}]");
            }

            // Decoded after a lone ▁, whose space the decoder strips, a piece keeps its own leading space.
            var decoded = real.HuggingFaceDecode(spaceId, id);
            var expectedText = vocabulary.IsSpecial(id) ? string.Empty : Utf8OrReplacement(expected);
            if (decoded != expectedText)
            {
                mismatches.Add($"{id} {pieces[id]}: Hugging Face decodes \"{decoded}\", expected \"{expectedText}\"");
            }
        }

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} mismatches:\n{string.Join('\n', mismatches.Take(20))}");
    }

    [Theory]
    [InlineData("llama-2", 16409, 16)]
    [InlineData("mistral", 15762, 15)]
    public void Read_RealTokenizer_CountsOfByteTokensWordPiecesAndSpecialTokens(string tokenizer, int wordPieces, int spaceRuns)
    {
        var real = tokenizers[tokenizer];
        var pieces = Pieces(real.Folder);

        var vocabulary = TokenVocabulary.Read(real.Folder);

        var byteTokens = Enumerable.Range(0, RealTokenizer.VocabularySize).Where(id => ByteToken().IsMatch(pieces[id])).ToArray();
        Assert.Equal(Enumerable.Range(3, 256), byteTokens);
        Assert.All(Enumerable.Range(0, 256), value => Assert.Equal([(byte)value], vocabulary.BytesOf(3 + value).ToArray()));
        Assert.Equal(128, Enumerable.Range(0, RealTokenizer.VocabularySize).Count(id => !StrictUtf8.IsValid(vocabulary.BytesOf(id).ToArray())));
        var texts = Enumerable.Range(0, RealTokenizer.VocabularySize).Where(id => !byteTokens.Contains(id)).Select(id => vocabulary.BytesOf(id).ToArray()).ToArray();
        Assert.Equal(wordPieces, texts.Count(bytes => bytes is [(byte)' ', ..]));
        Assert.Equal(spaceRuns, texts.Count(bytes => bytes.Length > 0 && bytes.All(value => value == ' ')));
        Assert.Equal(wordPieces, pieces.Count(piece => piece.StartsWith('▁')));
        Assert.Equal([0, 1, 2], Enumerable.Range(0, RealTokenizer.VocabularySize).Where(vocabulary.IsSpecial));
        Assert.Equal(["<unk>", "<s>", "</s>"], Enumerable.Range(0, 3).Select(id => Encoding.UTF8.GetString(vocabulary.BytesOf(id))));
        Assert.Equal(" Hello"u8.ToArray(), vocabulary.BytesOf(Array.IndexOf(pieces, "▁Hello")).ToArray());
        Assert.Equal(tokenizer == "llama-2" ? 15043 : 22557, Array.IndexOf(pieces, "▁Hello"));
    }

    /// <summary>The pieces of <c>model.vocab</c>, by id, read here without <see cref="TokenVocabulary"/>.</summary>
    private static string[] Pieces(string folder)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "tokenizer.json")));
        var pieces = new string[RealTokenizer.VocabularySize];
        var count = 0;
        foreach (var entry in document.RootElement.GetProperty("model").GetProperty("vocab").EnumerateObject())
        {
            pieces[entry.Value.GetInt32()] = entry.Name;
            count++;
        }

        Assert.Equal(RealTokenizer.VocabularySize, count);
        Assert.All(pieces, piece => Assert.NotNull(piece));
        return pieces;
    }

    /// <summary>The bytes a SentencePiece piece stands for: <c>&lt;0xNN&gt;</c> is the byte NN, <c>▁</c> a space.</summary>
    private static byte[] ExpectedBytes(string piece) =>
        ByteToken().Match(piece) is { Success: true } match
            ? Convert.FromHexString(match.Groups[1].Value)
            : Encoding.UTF8.GetBytes(piece.Replace("▁", " ", StringComparison.Ordinal));

    private static string Utf8OrReplacement(byte[] bytes) => StrictUtf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : "\uFFFD";

    [GeneratedRegex("^<0x([0-9A-F]{2})>$")]
    private static partial Regex ByteToken();
}
