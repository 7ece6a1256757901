using Ember.Runtime.Engine;

namespace Ember.Runtime.Tests.Engine;

/// <summary>Token texts and bytes read from the tiny model's tokenizer.json.</summary>
[Collection(RuntimeTestGroup.Name)]
public sealed class TokenVocabularyTests(TinyModelFixture models)
{
    [Fact]
    public void Read_TinyTokenizer_PiecesBytesAndSpecialTokens()
    {
        var vocabulary = TokenVocabulary.Read(models.Folder("int8"));

        Assert.Equal("</s>", vocabulary.Entry(2, -1).Token);
        var byteToken = vocabulary.Entry(3 + 0xE2, -1);
        Assert.Equal([0xE2], byteToken.Bytes);
        Assert.Equal("\uFFFD", byteToken.Token);
        Assert.Equal("A", vocabulary.Entry(3 + 0x41, -1).Token);
        Assert.Equal(-1, byteToken.Logprob);
        Assert.Equal(string.Empty, vocabulary.Entry(99999, 0).Token);
    }

    [Fact]
    public void Read_WordPiece_HasItsLeadingSpace()
    {
        var vocabulary = TokenVocabulary.Read(models.Folder("int8"));
        var json = File.ReadAllText(Path.Combine(models.Folder("int8"), "tokenizer.json"));
        using var document = System.Text.Json.JsonDocument.Parse(json);
        var the = document.RootElement.GetProperty("model").GetProperty("vocab").GetProperty("\u2581the").GetInt32();

        Assert.Equal(" the", vocabulary.Entry(the, 0).Token);
        Assert.Equal(" the"u8.ToArray(), vocabulary.Entry(the, 0).Bytes);
    }

    [Theory]
    [InlineData("""{"model":{"vocab":{"a":0}},"added_tokens":[{"id":-1,"content":"x"}]}""")]
    [InlineData("""{"model":{"vocab":{"a":0}},"added_tokens":[{"id":1,"content":null}]}""")]
    [InlineData("""{"model":{"vocab":{"a":2000000000}}}""")]
    [InlineData("""{"model":{"vocab":["a","b"]}}""")]
    [InlineData("""{"model":{}}""")]
    public void Read_MalformedTokenizer_IsARuntimeFailure(string json)
    {
        var folder = Directory.CreateTempSubdirectory("ember-bad-tokenizer-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "tokenizer.json"), json);

            var error = Assert.Throws<Ember.Runtime.Generation.AiTextGenerationException>(() => TokenVocabulary.Read(folder));

            Assert.Equal(Ember.Runtime.Generation.AiErrorKind.RuntimeFailure, error.Kind);
            Assert.StartsWith("Could not read the token vocabulary of the model in ", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Read_NoTokenizer_IsARuntimeFailure()
    {
        var empty = Directory.CreateTempSubdirectory("ember-no-tokenizer-").FullName;
        try
        {
            var error = Assert.Throws<Ember.Runtime.Generation.AiTextGenerationException>(() => TokenVocabulary.Read(empty));

            Assert.Equal(Ember.Runtime.Generation.AiErrorKind.RuntimeFailure, error.Kind);
        }
        finally
        {
            Directory.Delete(empty);
        }
    }
}
