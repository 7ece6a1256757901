namespace Ember.Runtime.Tests.Engine;

/// <summary>
/// Ember's encoding with the real Llama 2 and Mistral tokenizers against Hugging Face's Rust tokenizers'
/// (Tokenizers.DotNet) on a corpus of unicode, whitespace, code, numbers, URLs and chat-template text: equal on every
/// string; and Hugging Face's decoding of those ids gives the text back, except where the text writes special tokens
/// (<see cref="DecodedOtherwise"/>). ORT GenAI 0.18's own encoder, which Ember does not use for these tokenizers, is
/// held to its recorded divergences (<see cref="OrtGenAIDivergences"/>).
/// </summary>
[Collection(RealTokenizerGroup.Name)]
public sealed class IndependentEncoderAgreementTests(RealTokenizerFixture tokenizers)
{
    /// <summary>The corpus: every string is encoded with both tokenizers.</summary>
    private static readonly string[] Corpus =
    [
        "",
        "Hello world",
        " Hello world",
        "Hello, y'all! How are you?",
        "I've been 'told he's there, 'RE you sure? 'M not sure I'll make it, 'D you like some tea?",
        "''''''```````\"\"\"\"......!!!!!!??????",
        "Ça va? Élève naïve au café, Äpfel, São Paulo, Łódź, Ærøskøbing",
        "e\u0301 (decomposed) and \u00e9 (composed)",
        "日本語のテキストと中文文本，还有한국어。",
        "Привет, мир! Съешь же ещё этих мягких французских булок.",
        "Καλημέρα κόσμε, नमस्ते दुनिया, สวัสดีชาวโลก",
        "שלום עולם",
        "مرحبا بالعالم 123",
        "English with עברית and العربية inside, \u202Eoverridden\u202C",
        "😀😃 emoji",
        "👨‍👩‍👧‍👦 a family (ZWJ sequence)",
        "👍🏽 👋🏿 🧑🏻‍💻 skin tones",
        "🏳️‍🌈 ❤️ ☺️ ✅ variation selectors",
        "🇫🇷🇯🇵 regional indicators",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕄𝕒𝕥𝕙",
        "ＦＵＬＬＷＩＤＴＨ\u3000ｔｅｘｔ１２３！",
        "non\u00A0breaking\u00A0space",
        "zero\u200Bwidth\u200Bspace",
        "∀x ∈ ℝ: x² ≥ 0, ∑ ∫ √π ≈ 1.772",
        " ",
        "    ",
        "\t",
        "\n",
        "\r\n",
        "x  1",
        "    four leading spaces",
        "trailing spaces    ",
        "a  b   c    d     e",
        "\ttab\tseparated\t\tvalues\t",
        "line one\nline two\n\nline four\n",
        "windows\r\nline\r\nendings\r\n",
        "\n\n\nleading newlines",
        "   \t \n  \r\n\t\t  ",
        "public static int Add(int a, int b)\n{\n    return a + b; // the sum\n}\n",
        "var items = new List<string> { \"a\", \"b\" };\nforeach (var item in items)\n{\n\tConsole.WriteLine($\"{item}!\");\n}",
        "def fib(n: int) -> int:\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n",
        "a()!",
        "import os\nprint(f\"{os.getcwd()!r:>10}\")  # comment\n",
        "{\"name\": \"Ember\", \"tags\": [\"llm\", \"onnx\"], \"nested\": {\"x\": 1.5e-3, \"ok\": true, \"nil\": null}}",
        "{\n  \"a\": [\n    1,\n    2\n  ]\n}",
        "0 1 12 123 1234 12345 3.14159 -42 1,000,000 1e10",
        "Call +1 (555) 010-9999 on 2024-12-05 at 09:43:42.",
        "https://example.com/path/to/page?query=ember&lang=c%23#section-2",
        "mailto:someone@example.org and ftp://files.example.net/pub/file.tar.gz",
        "\u001B[1mbold\u001B[0m and a bell\u0007",
        "<s>[INST] <<SYS>>\nYou are a helpful assistant.\n<</SYS>>\n\nWhat is the capital of France? [/INST]",
        "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi! [/INST] Hello! How can I help? </s><s>[INST] Tell me a joke. [/INST]",
        "<s>[INST] What is your favourite condiment? [/INST]Well, I'm quite partial to lemon.</s> [INST] Do you have mayonnaise recipes? [/INST]",
        "</s>",
        "text with <unk> inside",
        "<<SYS>> [INST] [/INST] <</SYS>>",
    ];

    /// <summary>
    /// Where ORT GenAI 0.18's encoder does not encode as Hugging Face does, and Ember's <c>SentencePieceBpeEncoder</c> does:
    /// Hugging Face's ids, then ORT GenAI's. The Sentencepiece-BPE
    /// encoders of npm (llama-tokenizer-js 1.2.2, mistral-tokenizer-js 1.0.0) give Hugging Face's ids for all of them, and
    /// with the official Mistral file too, so it is ORT's (onnxruntime-extensions') BPE, not the tokenizer files. Three
    /// patterns: a run of spaces before a digit loses its last space to a lone <c>▁</c> (<c>"x  1"</c>: <c>▁▁ 1</c>
    /// becomes <c>▁ ▁ 1</c>); <c>▁\r</c> is formed for <c>"\r"</c> alone but not beside more whitespace (<c>"\r\n"</c>:
    /// <c>▁\r \n</c> becomes <c>▁ \r \n</c>, and <c>"   \t \n  \r\n"</c>'s <c>▁ ▁\r</c> becomes <c>▁▁ \r</c>); and with Llama 2, <c>"a()!"</c> gives
    /// <c>( )!</c> where <c>()</c> (merge 486) comes before <c>)!</c> (merge 42703). Each decodes to the same text.
    /// </summary>
    private static readonly Dictionary<(string Tokenizer, string Text), (int[] HuggingFace, int[] OrtGenAI)> OrtGenAIDivergences = new()
    {
        [("llama-2", "\r\n")] = ([6756, 13], [29871, 30004, 13]),
        [("mistral", "\r\n")] = ([1302, 13], [28705, 28801, 13]),
        [("llama-2", "   \t \n  \r\n\t\t  ")] = ([268, 12, 29871, 13, 29871, 6756, 13, 12, 12, 259], [268, 12, 29871, 13, 259, 30004, 13, 12, 12, 259]),
        [("mistral", "   \t \n  \r\n\t\t  ")] = ([260, 12, 28705, 13, 28705, 1302, 13, 12, 12, 259], [260, 12, 28705, 13, 259, 28801, 13, 12, 12, 259]),
        [("llama-2", "x  1")] = ([921, 259, 29896], [921, 29871, 29871, 29896]),
        [("mistral", "x  1")] = ([1318, 259, 28740], [1318, 28705, 28705, 28740]),
        [("llama-2", "{\n  \"a\": [\n    1,\n    2\n  ]\n}")] = (
            [426, 13, 29871, 376, 29874, 1115, 518, 13, 268, 29896, 29892, 13, 268, 29906, 13, 29871, 4514, 13, 29913],
            [426, 13, 29871, 376, 29874, 1115, 518, 13, 1678, 29871, 29896, 29892, 13, 1678, 29871, 29906, 13, 29871, 4514, 13, 29913]),
        [("mistral", "{\n  \"a\": [\n    1,\n    2\n  ]\n}")] = (
            [371, 13, 28705, 345, 28708, 1264, 733, 13, 260, 28740, 28725, 13, 260, 28750, 13, 28705, 4709, 13, 28752],
            [371, 13, 28705, 345, 28708, 1264, 733, 13, 2287, 28705, 28740, 28725, 13, 2287, 28705, 28750, 13, 28705, 4709, 13, 28752]),
        [("llama-2", "a()!")] = ([263, 580, 29991], [263, 29898, 20198]),
        [("llama-2", "import os\nprint(f\"{os.getcwd()!r:>10}\")  # comment\n")] = (
            [1053, 2897, 13, 2158, 29898, 29888, 29908, 29912, 359, 29889, 657, 29883, 9970, 580, 29991, 29878, 29901, 29958, 29896, 29900, 27195, 29871, 396, 3440, 13],
            [1053, 2897, 13, 2158, 29898, 29888, 29908, 29912, 359, 29889, 657, 29883, 9970, 29898, 20198, 29878, 29901, 29958, 29896, 29900, 27195, 29871, 396, 3440, 13]),
    };

    /// <summary>
    /// The strings Hugging Face's decoding does not give back, and what it gives: Tokenizers.DotNet's <c>Decode</c> skips
    /// special tokens (<c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>, <c>&lt;unk&gt;</c>), and the text after one was encoded with a
    /// <c>▁</c> put first (the normalizer prepends it to every piece of text between special tokens), which decodes as a
    /// space there, and is stripped only at the very start.
    /// </summary>
    private static readonly Dictionary<string, string> DecodedOtherwise = new()
    {
        ["<s>[INST] <<SYS>>\nYou are a helpful assistant.\n<</SYS>>\n\nWhat is the capital of France? [/INST]"] =
            "[INST] <<SYS>>\nYou are a helpful assistant.\n<</SYS>>\n\nWhat is the capital of France? [/INST]",
        ["<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi! [/INST] Hello! How can I help? </s><s>[INST] Tell me a joke. [/INST]"] =
            "[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi! [/INST] Hello! How can I help?  [INST] Tell me a joke. [/INST]",
        ["<s>[INST] What is your favourite condiment? [/INST]Well, I'm quite partial to lemon.</s> [INST] Do you have mayonnaise recipes? [/INST]"] =
            "[INST] What is your favourite condiment? [/INST]Well, I'm quite partial to lemon.  [INST] Do you have mayonnaise recipes? [/INST]",
        ["</s>"] = "",
        ["text with <unk> inside"] = "text with   inside",
    };

    private static readonly string[] TokenizerNames = ["llama-2", "mistral"];

    /// <summary>Every corpus string, by index, with each tokenizer.</summary>
    public static TheoryData<string, int> Cases
    {
        get
        {
            var cases = new TheoryData<string, int>();
            foreach (var tokenizer in TokenizerNames)
            {
                for (var index = 0; index < Corpus.Length; index++)
                {
                    cases.Add(tokenizer, index);
                }
            }

            return cases;
        }
    }

    [Fact]
    public void Corpus_Always_HasEnoughDistinctStrings()
    {
        Assert.Equal(56, Corpus.Length);
        Assert.Equal(Corpus.Length, Corpus.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData("llama-2")]
    [InlineData("mistral")]
    public void Load_RealTokenizer_EncodesWithTheExactEncoder(string tokenizer) => Assert.Null(tokenizers[tokenizer].Ember.EncoderRefusal);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Encode_CorpusString_EqualsHuggingFaceIds(string tokenizer, int index)
    {
        var real = tokenizers[tokenizer];
        var text = Corpus[index];

        var huggingFace = real.HuggingFaceEncode(text);
        var ember = real.Ember.Encode(text);

        Assert.True(
            huggingFace.SequenceEqual(ember),
            $"{tokenizer} string {index} \"{Escape(text)}\": Hugging Face [{string.Join(' ', huggingFace)}], Ember [{string.Join(' ', ember)}]");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OrtGenAIEncode_CorpusString_EqualsHuggingFaceIdsOrTheRecordedDivergence(string tokenizer, int index)
    {
        var real = tokenizers[tokenizer];
        var text = Corpus[index];

        var huggingFace = real.HuggingFaceEncode(text);
        var ortGenAI = real.OrtGenAIEncode(text);

        var (expectedHuggingFace, expectedOrtGenAI) = OrtGenAIDivergences.TryGetValue((tokenizer, text), out var divergence) ? divergence : (huggingFace, huggingFace);
        Assert.True(
            huggingFace.SequenceEqual(expectedHuggingFace) && ortGenAI.SequenceEqual(expectedOrtGenAI),
            $"{tokenizer} string {index} \"{Escape(text)}\": Hugging Face [{string.Join(' ', huggingFace)}], ORT GenAI [{string.Join(' ', ortGenAI)}]"
                + (divergence.HuggingFace is null ? string.Empty : $", recorded [{string.Join(' ', divergence.HuggingFace)}] and [{string.Join(' ', divergence.OrtGenAI)}]"));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decode_CorpusStringIds_GiveTheStringBack(string tokenizer, int index)
    {
        var real = tokenizers[tokenizer];
        var text = Corpus[index];
        var expected = DecodedOtherwise.GetValueOrDefault(text, text);

        var fromHuggingFace = real.HuggingFaceDecode(real.HuggingFaceEncode(text));
        var fromEmber = real.HuggingFaceDecode(real.Ember.Encode(text));

        Assert.True(
            fromHuggingFace == expected && fromEmber == expected,
            $"{tokenizer} string {index} \"{Escape(text)}\": Hugging Face's ids decoded as \"{Escape(fromHuggingFace)}\", Ember's as \"{Escape(fromEmber)}\"");
    }

    [Fact]
    public void OrtGenAIDivergences_Always_AreCorpusStrings()
    {
        Assert.All(OrtGenAIDivergences.Keys, key => Assert.Contains(key.Text, Corpus));
        Assert.All(DecodedOtherwise.Keys, text => Assert.Contains(text, Corpus));
        Assert.Equal(10, OrtGenAIDivergences.Count);
    }

    private static string Escape(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("\r", "\\r", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal)
            .Replace("\t", "\\t", StringComparison.Ordinal);
}
