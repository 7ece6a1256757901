using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ember.Runtime.Engine;
using Ember.Tests.Shared;
using HuggingFaceTokenizer = Tokenizers.DotNet.Tokenizer;

namespace Ember.Runtime.Tests.Engine;

/// <summary>
/// <see cref="SentencePieceBpeEncoder"/> on a small made-up tokenizer (merge order, byte fallback, unknown tokens, added
/// tokens, the forms it refuses), each result also checked against Hugging Face's Rust tokenizers (Tokenizers.DotNet) on
/// the same file; and on the real Llama 2 and Mistral tokenizers, exact ids Hugging Face gives, among them the ten that
/// ORT GenAI 0.18 encodes otherwise, and a 131,072-character prompt.
/// </summary>
public sealed class SentencePieceBpeEncoderTests : IDisposable
{
    private const int Unk = 0, Bos = 1, Eos = 2, Boundary = 259, A = 260, B = 261, C = 262, AB = 263, BC = 264, BoundaryA = 265, AA = 266, ABC = 267, CBoundaryA = 268;

    /// <summary>The made-up tokenizer's pieces after <c>&lt;unk&gt;</c>, <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c> and the 256 byte tokens.</summary>
    private static readonly string[] Pieces = ["▁", "a", "b", "c", "ab", "bc", "▁a", "aa", "abc", "c▁a"];

    /// <summary>The made-up tokenizer's merges, in rank order: <c>a b</c> first, <c>c ▁a</c> (across a word boundary) last.</summary>
    private static readonly string[][] Merges = [["a", "b"], ["b", "c"], ["▁", "a"], ["a", "a"], ["ab", "c"], ["a", "bc"], ["c", "▁a"]];

    private static readonly Lazy<SentencePieceBpeEncoder> Llama2 = new(() => ReadReal(RealTokenizers.Llama2));
    private static readonly Lazy<SentencePieceBpeEncoder> Mistral = new(() => ReadReal(RealTokenizers.Mistral));

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ember-spbpe-" + Guid.NewGuid().ToString("N"));

    public SentencePieceBpeEncoderTests() => Directory.CreateDirectory(_folder);

    /// <summary>
    /// Strings of the made-up tokenizer and their ids: the lowest rank merges first (<c>a b</c> before <c>▁ a</c>), the
    /// leftmost on equal rank, stale pairs are skipped, a merge across a <c>▁</c> is made (the encoder does not cut the
    /// word there), <c>€</c> (not a piece) falls back to its three UTF-8 bytes, and the text between added tokens is
    /// normalized piece by piece.
    /// </summary>
    public static TheoryData<string, int[]> MadeUpCases => new()
    {
        { string.Empty, [] },
        { "abc", [Boundary, ABC] },
        { "aaa", [BoundaryA, AA] },
        { "caaa", [Boundary, C, AA, A] },
        { "a b", [BoundaryA, Boundary, B] },
        { "c a", [Boundary, CBoundaryA] },
        { "c ab", [Boundary, C, Boundary, AB] },
        { "a€", [BoundaryA, 3 + 0xE2, 3 + 0x82, 3 + 0xAC] },
        { "ab<s>c</s>", [Boundary, AB, Bos, Boundary, C, Eos] },
        { "<s><s>a</s>", [Bos, Bos, BoundaryA, Eos] },
        { "x<unk>", [Boundary, 3 + 'x', Unk] },
    };

    /// <summary>
    /// Hugging Face's ids on the real tokenizers: the ten strings ORT GenAI 0.18 encodes otherwise (a run of spaces before
    /// a digit, <c>▁\r</c> beside more whitespace, Llama 2's <c>a()!</c>), plain text, a character outside the vocabulary
    /// (🦙, its four UTF-8 bytes), added tokens inside text and the chat template's start, and the empty string.
    /// </summary>
    public static TheoryData<string, string, int[]> RealCases => new()
    {
        { "llama-2", "\r\n", [6756, 13] },
        { "mistral", "\r\n", [1302, 13] },
        { "llama-2", "   \t \n  \r\n\t\t  ", [268, 12, 29871, 13, 29871, 6756, 13, 12, 12, 259] },
        { "mistral", "   \t \n  \r\n\t\t  ", [260, 12, 28705, 13, 28705, 1302, 13, 12, 12, 259] },
        { "llama-2", "x  1", [921, 259, 29896] },
        { "mistral", "x  1", [1318, 259, 28740] },
        { "llama-2", "{\n  \"a\": [\n    1,\n    2\n  ]\n}", [426, 13, 29871, 376, 29874, 1115, 518, 13, 268, 29896, 29892, 13, 268, 29906, 13, 29871, 4514, 13, 29913] },
        { "mistral", "{\n  \"a\": [\n    1,\n    2\n  ]\n}", [371, 13, 28705, 345, 28708, 1264, 733, 13, 260, 28740, 28725, 13, 260, 28750, 13, 28705, 4709, 13, 28752] },
        { "llama-2", "a()!", [263, 580, 29991] },
        {
            "llama-2", "import os\nprint(f\"{os.getcwd()!r:>10}\")  # comment\n",
            [1053, 2897, 13, 2158, 29898, 29888, 29908, 29912, 359, 29889, 657, 29883, 9970, 580, 29991, 29878, 29901, 29958, 29896, 29900, 27195, 29871, 396, 3440, 13]
        },
        { "llama-2", "Hello world", [15043, 3186] },
        { "mistral", "Hello world", [22557, 1526] },
        { "llama-2", "🦙 llama", [29871, 243, 162, 169, 156, 11148, 3304] },
        { "mistral", "🦙 llama", [28705, 243, 162, 169, 156, 8814, 2786] },
        { "llama-2", "x<s>y</s>z", [921, 1, 343, 2, 503] },
        { "mistral", "x<s>y</s>z", [1318, 1, 337, 2, 686] },
        { "llama-2", "a <unk>b", [263, 29871, 0, 289] },
        { "mistral", "<s>[INST] Hi [/INST]", [1, 733, 16289, 28793, 15359, 733, 28748, 16289, 28793] },
        { "llama-2", "", [] },
        { "mistral", "", [] },
    };

    /// <summary>Changes to the made-up tokenizer that give a form the encoder does not implement, and a word of the refusal.</summary>
    public static TheoryData<string, string> RefusedForms => new()
    {
        { "Metaspace pre-tokenizer", "pre-tokenizer" },
        { "Lowercase normalizer too", "normalizer" },
        { "no normalizer", "normalizer" },
        { "Replace by regex", "normalizer" },
        { "Unigram model", "not BPE" },
        { "no byte fallback", "byte_fallback" },
        { "dropout", "dropout" },
        { "ignore_merges", "ignore_merges" },
        { "subword prefix", "continuing_subword_prefix" },
        { "normalized added token", "normalized" },
        { "lstrip added token", "lstrip" },
    };

    private static Dictionary<string, Action<JsonObject>> RefusedChanges { get; } = new()
    {
        ["Metaspace pre-tokenizer"] = file => file["pre_tokenizer"] = new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = "first", ["split"] = false },
        ["Lowercase normalizer too"] = file => file["normalizer"]!["normalizers"]!.AsArray().Add(new JsonObject { ["type"] = "Lowercase" }),
        ["no normalizer"] = file => file["normalizer"] = null,
        ["Replace by regex"] = file => file["normalizer"]!["normalizers"]![1]!["pattern"] = new JsonObject { ["Regex"] = " " },
        ["Unigram model"] = file => file["model"]!["type"] = "Unigram",
        ["no byte fallback"] = file => file["model"]!["byte_fallback"] = false,
        ["dropout"] = file => file["model"]!["dropout"] = 0.1,
        ["ignore_merges"] = file => file["model"]!["ignore_merges"] = true,
        ["subword prefix"] = file => file["model"]!["continuing_subword_prefix"] = "##",
        ["normalized added token"] = file => file["added_tokens"]![1]!["normalized"] = true,
        ["lstrip added token"] = file => file["added_tokens"]![2]!["lstrip"] = true,
    };

    [Theory]
    [MemberData(nameof(MadeUpCases))]
    public void Encode_MadeUpTokenizer_GivesTheIdsHuggingFaceGives(string text, int[] expected)
    {
        var path = Write(MadeUpTokenizer());
        using var huggingFace = new HuggingFaceTokenizer(path);

        var ids = Read().Encode(text);

        Assert.Equal(expected, ids);
        Assert.Equal(expected, huggingFace.Encode(text).Select(id => checked((int)id)));
    }

    [Theory]
    [MemberData(nameof(MadeUpCases))]
    public void Encode_MergesAsArrays_GivesTheSameIdsAsMergesAsStrings(string text, int[] expected)
    {
        Write(MadeUpTokenizer(mergesAsStrings: false));

        Assert.Equal(expected, Read().Encode(text));
    }

    [Fact]
    public void Encode_BytesMissingFromTheVocabulary_GivesOneUnknownTokenForARun()
    {
        var file = MadeUpTokenizer();
        file["model"]!["vocab"]!.AsObject().Remove("<0xE2>");
        var path = Write(file);
        using var huggingFace = new HuggingFaceTokenizer(path);

        var ids = Read().Encode("a€€b");

        Assert.Equal([BoundaryA, Unk, B], ids);
        Assert.Equal(ids, huggingFace.Encode("a€€b").Select(id => checked((int)id)));
    }

    [Theory]
    [MemberData(nameof(RefusedForms))]
    public void FromJson_OtherForm_RefusesWithAReason(string change, string reason)
    {
        var file = MadeUpTokenizer();
        RefusedChanges[change](file);
        using var document = JsonDocument.Parse(file.ToJsonString());

        var encoder = SentencePieceBpeEncoder.FromJson(document.RootElement, out var refusal);

        Assert.Null(encoder);
        Assert.Contains(reason, refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingFile_RefusesWithAReason()
    {
        Assert.Null(SentencePieceBpeEncoder.Read(_folder, out var refusal));
        Assert.Contains("tokenizer.json", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MergeOfAPieceNotInTheVocabulary_Refuses()
    {
        var file = MadeUpTokenizer();
        file["model"]!["merges"]!.AsArray().Add("c c");
        Write(file);

        Assert.Null(SentencePieceBpeEncoder.Read(_folder, out var refusal));
        Assert.Contains("cc", refusal, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(RealCases))]
    public void Encode_RealTokenizer_GivesHuggingFaceIds(string tokenizer, string text, int[] expected) =>
        Assert.Equal(expected, Real(tokenizer).Encode(text));

    [Theory]
    [InlineData("llama-2")]
    [InlineData("mistral")]
    public void Encode_LongPrompt_GivesHuggingFaceIds(string tokenizer)
    {
        var text = LongPrompt(131_072);
        var folder = tokenizer == "llama-2" ? RealTokenizers.Llama2 : RealTokenizers.Mistral;
        using var huggingFace = new HuggingFaceTokenizer(Path.Combine(folder, "tokenizer.json"));

        var ids = Real(tokenizer).Encode(text);

        Assert.Equal(131_072, text.Length);
        Assert.Equal(huggingFace.Encode(text).Skip(1).Select(id => checked((int)id)), ids);
    }

    [Fact]
    public void Encode_FromManyThreads_GivesTheSameIds()
    {
        var text = LongPrompt(8192);
        var expected = Llama2.Value.Encode(text);

        Parallel.For(0, 16, _ => Assert.Equal(expected, Llama2.Value.Encode(text)));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>
    /// A prompt of <paramref name="length"/> characters shaped like a long chat: the template's <c>&lt;s&gt;[INST]</c>,
    /// then one long piece with no added token (prose, code, numbers, runs of whitespace, <c>\r\n</c>, accents, CJK,
    /// emoji), cut where no surrogate pair is split.
    /// </summary>
    private static string LongPrompt(int length)
    {
        string[] parts =
        [
            "The quick brown fox jumps over the lazy dog. ",
            "public static int Add(int a, int b)\r\n{\r\n    return a + b; // the sum\r\n}\r\n",
            "x  1, y   22,\t\tz    333; ",
            "Élève naïve au café, Łódź — 日本語のテキスト，한국어。 ",
            "😀 👨‍👩‍👧‍👦 🦙 ",
            "a()! {os.getcwd()!r:>10}  # comment\n\n",
            "{\n  \"a\": [\n    1,\n    2\n  ]\n}\n",
        ];
        var builder = new StringBuilder("<s>[INST] ");
        for (var i = 0; builder.Length < length; i = (i + 1) % parts.Length)
        {
            builder.Append(parts[i]);
        }

        builder.Length = length;
        if (char.IsHighSurrogate(builder[^1]))
        {
            builder[^1] = '.';
        }

        return builder.ToString();
    }

    private static SentencePieceBpeEncoder Real(string tokenizer) => tokenizer == "llama-2" ? Llama2.Value : Mistral.Value;

    private static SentencePieceBpeEncoder ReadReal(string folder) =>
        SentencePieceBpeEncoder.Read(folder, out var refusal) ?? throw new InvalidOperationException($"{folder} was refused: {refusal}");

    private SentencePieceBpeEncoder Read() =>
        SentencePieceBpeEncoder.Read(_folder, out var refusal) ?? throw new InvalidOperationException("The made-up tokenizer was refused: " + refusal);

    private string Write(JsonObject file)
    {
        var path = Path.Combine(_folder, "tokenizer.json");
        File.WriteAllText(path, file.ToJsonString());
        return path;
    }

    /// <summary>
    /// A tokenizer.json of Llama 2's form: <c>&lt;unk&gt;</c>, <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c> (ids 0-2, added tokens),
    /// the 256 byte tokens (ids 3-258), then <see cref="Pieces"/> (from 259) and <see cref="Merges"/>; no post-processor.
    /// </summary>
    private static JsonObject MadeUpTokenizer(bool mergesAsStrings = true)
    {
        var vocabulary = new JsonObject { ["<unk>"] = Unk, ["<s>"] = Bos, ["</s>"] = Eos };
        for (var value = 0; value < 256; value++)
        {
            vocabulary[$"<0x{value:X2}>"] = 3 + value;
        }

        for (var i = 0; i < Pieces.Length; i++)
        {
            vocabulary[Pieces[i]] = Boundary + i;
        }

        var added = new JsonArray();
        foreach (var (content, id) in new[] { ("<unk>", Unk), ("<s>", Bos), ("</s>", Eos) })
        {
            added.Add(new JsonObject
            {
                ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
            });
        }

        var merges = new JsonArray([.. Merges.Select(pair => mergesAsStrings ? JsonValue.Create(pair[0] + " " + pair[1]) : (JsonNode)new JsonArray(pair[0], pair[1]))]);
        return new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = added,
            ["normalizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["normalizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Prepend", ["prepend"] = "▁" },
                    new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["String"] = " " }, ["content"] = "▁" }),
            },
            ["pre_tokenizer"] = null,
            ["post_processor"] = null,
            ["decoder"] = null,
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["dropout"] = null,
                ["unk_token"] = "<unk>",
                ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null,
                ["fuse_unk"] = true,
                ["byte_fallback"] = true,
                ["vocab"] = vocabulary,
                ["merges"] = merges,
            },
        };
    }
}
