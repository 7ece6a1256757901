using System.Globalization;
using System.Text;

namespace Ember.Runtime.Tests.Engine;

/// <summary>
/// Ember's encoding of llama.cpp's 46 test strings (<c>models/ggml-vocab-llama-spm.gguf.inp</c>) with Llama 2's real
/// tokenizer equals the ids Hugging Face's tokenizer gave for them (<c>.out</c>).
/// </summary>
/// <remarks>
/// What the files hold (checked on node-llama-cpp 3.21.1's llama.cpp): the strings are separated by
/// <c>"\n__ggml_vocab_test__\n"</c> and the file ends with one, so the text after the last separator is empty and no
/// case; the <c>.out</c> file has one line per string, each id preceded by a space. No line starts with 1 (<c>&lt;s&gt;</c>):
/// llama.cpp's generator encoded without special tokens, so the ids are compared as they are with Ember's
/// <c>Encode</c>, which adds no <c>&lt;s&gt;</c> either. The empty string is case 2, its line is empty.
/// </remarks>
[Collection(RealTokenizerGroup.Name)]
public sealed class RealTokenizerVectorsTests(RealTokenizerFixture tokenizers)
{
    private const int VectorCount = 46;
    private const string Separator = "\n__ggml_vocab_test__\n";

    public static TheoryData<int> Indices => [.. Enumerable.Range(0, VectorCount)];

    [Fact]
    public void Read_HuggingFaceVectors_Are46StringsWithTheirIds()
    {
        var vectors = Read(tokenizers.Llama2.Folder);

        Assert.Equal(VectorCount, vectors.Count);
        Assert.Equal("ied 4 ½ months", vectors[0].Text);
        Assert.Equal([474, 287, 29871, 29946, 29871, 30226, 7378], vectors[0].Ids);
        Assert.Equal(string.Empty, vectors[2].Text);
        Assert.Empty(vectors[2].Ids);
        Assert.Equal([" ", "  ", "   ", "\t", "\n", "\n\n", "\n\n\n", "\t\n"], vectors.Skip(3).Take(8).Select(vector => vector.Text));
        Assert.Equal([259], vectors[3].Ids);
        Assert.Equal([29871, 12, 13], vectors[10].Ids);
        Assert.Equal(" discards", vectors[44].Text);
        Assert.DoesNotContain(vectors, vector => vector.Ids is [1, ..]);
    }

    [Theory]
    [MemberData(nameof(Indices))]
    public void Encode_HuggingFaceVector_EqualsHuggingFaceIds(int index)
    {
        var (text, expected) = Read(tokenizers.Llama2.Folder)[index];

        var actual = tokenizers.Llama2.Ember.Encode(text);

        Assert.True(
            expected.SequenceEqual(actual),
            $"vector {index} \"{Escape(text)}\": Hugging Face [{string.Join(' ', expected)}], Ember [{string.Join(' ', actual)}]");
    }

    /// <summary>The strings of <c>hf-vectors.inp</c> and the ids of <c>hf-vectors.out</c>, in order.</summary>
    private static List<(string Text, int[] Ids)> Read(string folder)
    {
        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        var input = strict.GetString(File.ReadAllBytes(Path.Combine(folder, "hf-vectors.inp")));
        var output = strict.GetString(File.ReadAllBytes(Path.Combine(folder, "hf-vectors.out")));
        Assert.EndsWith(Separator, input, StringComparison.Ordinal);
        Assert.EndsWith("\n", output, StringComparison.Ordinal);
        var texts = input[..^Separator.Length].Split(Separator);
        var lines = output[..^1].Split('\n');
        Assert.Equal(texts.Length, lines.Length);
        return [.. texts.Zip(lines, (text, line) => (text, line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(id => int.Parse(id, CultureInfo.InvariantCulture)).ToArray()))];
    }

    private static string Escape(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal);
}
