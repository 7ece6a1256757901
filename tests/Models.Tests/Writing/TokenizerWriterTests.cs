using System.Text;
using System.Text.Json;
using Ember.Models.Writing;

namespace Ember.Models.Tests.Writing;

public sealed class TokenizerWriterTests(TokenizerFolder folder) : IClassFixture<TokenizerFolder>
{
    private const string Conversation = """
        [{"role":"system","content":"You are kind."},
         {"role":"user","content":"Hi"},
         {"role":"assistant","content":"Hello there."},
         {"role":"user","content":"Tell a story"}]
        """;

    private static readonly LlamaVocabulary Vocabulary = LlamaVocabulary.Default;

    public static TheoryData<string> Texts { get; } = new()
    {
        "Hello, world! The cat sat on the mat.",
        " leading space",
        "trailing space ",
        "several   spaces  inside",
        "   ",
        "line one\nline two\n\ttabbed\r\nend",
        "日本語のテキスト",
        "café, über, naïve, Ångström",
        "hi 👋🏽 there",
        "Mixed: 42% of 👋🏽 said «日本» — ok? <tag> & \"quotes\" \\ `code`",
    };

    [Fact]
    public async Task WriteAsync_CalledTwice_WritesIdenticalBytes()
    {
        var first = Path.Combine(folder.Path, "first");
        var second = Path.Combine(folder.Path, "second");

        await TokenizerWriter.WriteAsync(first, Vocabulary, CancellationToken.None);
        await TokenizerWriter.WriteAsync(second, new LlamaVocabulary(), CancellationToken.None);

        foreach (var name in (string[])[TokenizerWriter.TokenizerFileName, TokenizerWriter.TokenizerConfigFileName])
        {
            var bytes = await File.ReadAllBytesAsync(Path.Combine(first, name));
            Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(second, name)));
            Assert.False(bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble), $"{name} starts with a byte order mark.");
            Assert.DoesNotContain((byte)'\r', bytes);
            Assert.Equal((byte)'\n', bytes[^1]);
        }

        Assert.Equal(
            TokenizerWriter.TokenizerJson(Vocabulary),
            await File.ReadAllTextAsync(Path.Combine(first, TokenizerWriter.TokenizerFileName)));
    }

    [Fact]
    public void TokenizerJson_Always_HasLlama2Shape()
    {
        using var json = JsonDocument.Parse(TokenizerWriter.TokenizerJson(Vocabulary));
        var root = json.RootElement;

        var added = root.GetProperty("added_tokens").EnumerateArray().ToList();
        Assert.Equal(["<unk>", "<s>", "</s>"], added.Select(t => t.GetProperty("content").GetString()));
        Assert.All(added, t => Assert.True(t.GetProperty("special").GetBoolean()));
        Assert.All(added, t => Assert.False(t.GetProperty("normalized").GetBoolean()));

        var normalizers = root.GetProperty("normalizer").GetProperty("normalizers");
        Assert.Equal("Prepend", normalizers[0].GetProperty("type").GetString());
        Assert.Equal("\u2581", normalizers[0].GetProperty("prepend").GetString());
        Assert.Equal("Replace", normalizers[1].GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("pre_tokenizer").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("post_processor").ValueKind);
        Assert.Equal(
            ["Replace", "ByteFallback", "Fuse", "Strip"],
            root.GetProperty("decoder").GetProperty("decoders").EnumerateArray().Select(d => d.GetProperty("type").GetString()));

        var model = root.GetProperty("model");
        Assert.Equal("BPE", model.GetProperty("type").GetString());
        Assert.True(model.GetProperty("byte_fallback").GetBoolean());
        Assert.True(model.GetProperty("fuse_unk").GetBoolean());
        var vocab = model.GetProperty("vocab").EnumerateObject().ToList();
        Assert.Equal(Vocabulary.Tokens, vocab.Select(p => p.Name));
        Assert.Equal(Enumerable.Range(0, LlamaVocabulary.Size), vocab.Select(p => p.Value.GetInt32()));
        Assert.Equal("\u2581 t", model.GetProperty("merges")[0].GetString());
        Assert.Equal(Vocabulary.Merges.Count, model.GetProperty("merges").GetArrayLength());
    }

    [Fact]
    public void TokenizerConfigJson_Always_HasLlamaTokenizerSettings()
    {
        using var json = JsonDocument.Parse(TokenizerWriter.TokenizerConfigJson());
        var root = json.RootElement;

        Assert.Equal("LlamaTokenizer", root.GetProperty("tokenizer_class").GetString());
        Assert.Equal("<s>", root.GetProperty("bos_token").GetString());
        Assert.Equal("</s>", root.GetProperty("eos_token").GetString());
        Assert.Equal("<unk>", root.GetProperty("unk_token").GetString());
        Assert.True(root.GetProperty("add_bos_token").GetBoolean());
        Assert.False(root.GetProperty("add_eos_token").GetBoolean());
        Assert.False(root.GetProperty("legacy").GetBoolean());
        Assert.False(root.GetProperty("clean_up_tokenization_spaces").GetBoolean());
        Assert.Equal(TokenizerWriter.ModelMaxLength, root.GetProperty("model_max_length").GetInt32());
        Assert.Equal(LlamaChatTemplate.Jinja, root.GetProperty("chat_template").GetString());
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public void Decode_EncodedTextAfterBos_ReturnsText(string text)
    {
        var ids = Encode(text);

        Assert.Equal(text, folder.Tokenizer.Decode([LlamaVocabulary.BosId, .. ids]));
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public void Decode_EncodedTextAlone_KeepsPrependedSpace(string text) =>
        Assert.Equal(" " + text, folder.Tokenizer.Decode(Encode(text)));

    [Fact]
    public void Encode_EmptyText_GivesNoTokens() => Assert.Empty(Encode(string.Empty));

    [Theory]
    [InlineData("the cat", new[] { 750, 769 })]
    [InlineData("Hello, world!", new[] { 761, 323, 979, 324 })]
    public void Encode_CommonWords_GivesGoldenWordTokens(string text, int[] expected) => Assert.Equal(expected, Encode(text));

    [Fact]
    public void Encode_EveryWordToken_GivesThatTokenAlone()
    {
        for (var id = Vocabulary.FirstWordId; id < LlamaVocabulary.Size; id++)
        {
            Assert.Equal([id], Encode(Vocabulary.Tokens[id][1..]));
        }
    }

    [Fact]
    public void Encode_ByDefault_DoesNotAddBos()
    {
        Assert.Equal(LlamaVocabulary.BosId, folder.Tokenizer.GetBosTokenId());
        Assert.NotEqual(LlamaVocabulary.BosId, Encode("the cat")[0]);
    }

    [Fact]
    public void GetEosTokenIds_MinimalGenAIConfig_IsEosId() =>
        Assert.Equal([LlamaVocabulary.EosId], folder.Tokenizer.GetEosTokenIds().ToArray());

    [Fact]
    public void Encode_SpecialTokenMarkup_GivesSpecialIds() =>
        Assert.Equal([LlamaVocabulary.BosId, Vocabulary.GetId("\u2581hi"), LlamaVocabulary.EosId], Encode("<s>hi</s>"));

    [Fact]
    public void Decode_SpecialTokens_AreSkipped() =>
        Assert.Equal("hi", folder.Tokenizer.Decode([LlamaVocabulary.BosId, Vocabulary.GetId("\u2581hi"), LlamaVocabulary.EosId]));

    [Fact]
    public void TokenizerStream_EmojiBytes_YieldsEachCodePointOnceComplete()
    {
        var ids = Encode("a👋🏽b");
        using var stream = folder.Tokenizer.CreateStream();

        var pieces = ids.Select(stream.Decode).ToList();

        Assert.Equal(10, ids.Length);
        Assert.Equal([" a", "", "", "", "👋", "", "", "", "🏽", "b"], pieces);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(LlamaChatTemplate.Jinja)]
    public void ApplyChatTemplate_SystemUserAssistantUser_RendersLlama2Prompt(string? template)
    {
        var prompt = folder.Tokenizer.ApplyChatTemplate(template, Conversation, null, true);

        Assert.Equal(
            "<s>[INST] <<SYS>>\nYou are kind.\n<</SYS>>\n\nHi [/INST] Hello there. </s><s>[INST] Tell a story [/INST]",
            prompt);
    }

    [Fact]
    public void ApplyChatTemplate_RolesNotAlternating_Throws() =>
        Assert.ThrowsAny<Exception>(() => folder.Tokenizer.ApplyChatTemplate(
            null, """[{"role":"user","content":"a"},{"role":"user","content":"b"}]""", null, true));

    private int[] Encode(string text)
    {
        using var sequences = folder.Tokenizer.Encode(text);
        return sequences[0].ToArray();
    }
}
