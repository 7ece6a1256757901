using Ember.Models.Writing;

namespace Ember.Models.Tests.Writing;

public sealed class LlamaVocabularyTests
{
    private static readonly LlamaVocabulary Vocabulary = LlamaVocabulary.Default;

    [Fact]
    public void Tokens_Always_HasExactlySizeDistinctTokens()
    {
        Assert.Equal(LlamaVocabulary.Size, Vocabulary.Tokens.Count);
        Assert.Equal(LlamaVocabulary.Size, Vocabulary.Tokens.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData(0, "<unk>")]
    [InlineData(1, "<s>")]
    [InlineData(2, "</s>")]
    [InlineData(3, "<0x00>")]
    [InlineData(13, "<0x0A>")]
    [InlineData(258, "<0xFF>")]
    [InlineData(259, "\u2581")]
    [InlineData(260, "a")]
    [InlineData(286, "A")]
    [InlineData(312, "0")]
    [InlineData(322, ".")]
    public void Tokens_FixedIds_FollowLlamaLayout(int id, string token) => Assert.Equal(token, Vocabulary.Tokens[id]);

    [Theory]
    [InlineData("\u2581the", 750)]
    [InlineData("\u2581a", 751)]
    [InlineData("\u2581Hello", 761)]
    [InlineData("\u2581cat", 769)]
    [InlineData("\u2581world", 979)]
    [InlineData("\u2581He", 1023)]
    public void GetId_WordToken_HasGoldenId(string token, int id) => Assert.Equal(id, Vocabulary.GetId(token));

    [Fact]
    public void GetId_UnknownToken_ThrowsKeyNotFound() =>
        Assert.Throws<KeyNotFoundException>(() => Vocabulary.GetId("\u2581zebra"));

    [Fact]
    public void TryGetId_UnknownToken_ReturnsFalseAndMinusOne()
    {
        Assert.False(Vocabulary.TryGetId("\u2581zebra", out var id));
        Assert.Equal(-1, id);
    }

    [Fact]
    public void Ranges_Always_HaveGoldenBoundaries()
    {
        Assert.Equal(LlamaVocabulary.WordBoundaryId + 1 + 94, Vocabulary.FirstSubwordId);
        Assert.Equal(750, Vocabulary.FirstWordId);
        Assert.Equal(274, Vocabulary.WordCount);
    }

    [Fact]
    public void Merges_Always_HavePartsAndResultsInVocabulary()
    {
        var tokens = Vocabulary.Tokens.ToHashSet(StringComparer.Ordinal);
        var results = Vocabulary.Merges.Select(m => m.Left + m.Right).ToList();

        Assert.All(Vocabulary.Merges, m => Assert.Contains(m.Left, tokens));
        Assert.All(Vocabulary.Merges, m => Assert.Contains(m.Right, tokens));
        Assert.All(results, r => Assert.Contains(r, tokens));
        Assert.Equal(results.Count, results.Distinct(StringComparer.Ordinal).Count());

        // Every token after the single characters is made by exactly one merge.
        Assert.Equal(LlamaVocabulary.Size - Vocabulary.FirstSubwordId, Vocabulary.Merges.Count);
    }

    [Fact]
    public void Merges_Always_BuildEachLeftPartBeforeUsingIt()
    {
        var made = new HashSet<string>(StringComparer.Ordinal) { LlamaVocabulary.WordBoundary };
        foreach (var (left, right) in Vocabulary.Merges)
        {
            Assert.Contains(left, made);
            Assert.Equal(1, right.Length);
            made.Add(left + right);
        }
    }

    [Fact]
    public void IsWordToken_EachId_IsTrueOnlyForWholeWords()
    {
        var words = CommonEnglishWords.All.Select(w => LlamaVocabulary.WordBoundary + w).ToHashSet(StringComparer.Ordinal);
        for (var id = 0; id < LlamaVocabulary.Size; id++)
        {
            var token = Vocabulary.Tokens[id];
            var isWord = Vocabulary.IsWordToken(id);
            Assert.Equal(id >= Vocabulary.FirstWordId, isWord);
            Assert.Equal(words.Contains(token), isWord);
        }

        Assert.False(Vocabulary.IsWordToken(LlamaVocabulary.EosId));
        Assert.False(Vocabulary.IsWordToken(LlamaVocabulary.Size));
    }

    [Fact]
    public void Constructor_CalledTwice_BuildsIdenticalVocabulary()
    {
        var again = new LlamaVocabulary();

        Assert.Equal(Vocabulary.Tokens, again.Tokens);
        Assert.Equal(Vocabulary.Merges, again.Merges);
        Assert.Equal(Vocabulary.FirstWordId, again.FirstWordId);
    }
}
