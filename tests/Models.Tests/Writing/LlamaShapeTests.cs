using Ember.Models.Writing;

namespace Ember.Models.Tests.Writing;

public sealed class LlamaShapeTests
{
    [Theory]
    [InlineData(0, 64, 4, 2, 192, 1024, 2048, "Layers", "(got 0)")]
    [InlineData(2, 64, 3, 1, 192, 1024, 2048, "Hidden", "(got 64 for 3 heads)")]
    [InlineData(2, 64, 4, 3, 192, 1024, 2048, "KvHeads", "(got 3 for 4 heads)")]
    [InlineData(2, 96, 32, 2, 192, 1024, 2048, "Hidden", "even head size (got 96 for 32 heads)")]
    [InlineData(2, 48, 4, 2, 192, 1024, 2048, "Hidden", "multiple of 32 (got 48)")]
    [InlineData(2, 64, 4, 2, 100, 1024, 2048, "Intermediate", "(got 100)")]
    [InlineData(2, 64, 4, 2, 192, 3, 2048, "VocabSize", "(got 3)")]
    [InlineData(2, 64, 4, 2, 192, 1 << 21, 2048, "VocabSize", "(got 2097152)")]
    [InlineData(2, 64, 4, 2, 192, 1024, 8, "ContextLength", "(got 8)")]
    public void Validate_NonsenseSize_ThrowsNamingField(int layers, int hidden, int heads, int kvHeads, int intermediate, int vocab, int context, string field, string detail)
    {
        var shape = new LlamaShape(layers, hidden, heads, kvHeads, intermediate, vocab, context);

        var error = Assert.Throws<ArgumentException>(shape.Validate);

        Assert.Contains(field, error.Message, StringComparison.Ordinal);
        Assert.Contains(detail, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SeveralBrokenRules_NamesEveryOne()
    {
        var shape = LlamaShape.Tiny with { Layers = 0, VocabSize = 0, ContextLength = 8 };

        var error = Assert.Throws<ArgumentException>(shape.Validate);

        Assert.Contains("Layers", error.Message, StringComparison.Ordinal);
        Assert.Contains("VocabSize", error.Message, StringComparison.Ordinal);
        Assert.Contains("ContextLength", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tiny")]
    [InlineData("small")]
    [InlineData("tinyllama-1.1b")]
    [InlineData("llama-2-7b")]
    [InlineData("mistral-7b")]
    public void Validate_Preset_DoesNotThrow(string name) => LlamaShape.FromPreset(name).Validate();

    [Theory]
    [InlineData("tiny", true)]
    [InlineData("TINY", true)]
    [InlineData("Small", false)]
    public void FromPreset_KnownNameAnyCase_ReturnsPreset(string name, bool tiny) =>
        Assert.Same(tiny ? LlamaShape.Tiny : LlamaShape.Small, LlamaShape.FromPreset(name));

    [Theory]
    [InlineData("huge")]
    [InlineData("")]
    public void FromPreset_UnknownName_ThrowsListingPresets(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => LlamaShape.FromPreset(name));

        Assert.Equal("name", error.ParamName);
        Assert.Contains("'tiny'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'small'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'tinyllama-1.1b', 'llama-2-7b', 'mistral-7b'", error.Message, StringComparison.Ordinal);
    }

    // The layouts of the real models (their config.json), with a 32,000-token vocabulary.
    [Theory]
    [InlineData("tinyllama-1.1b", 22, 2048, 32, 4, 5632, 2048, 1_100_048_384L)]
    [InlineData("llama-2-7b", 32, 4096, 32, 32, 11008, 4096, 6_738_415_616L)]
    [InlineData("mistral-7b", 32, 4096, 32, 8, 14336, 8192, 7_241_732_096L)]
    public void FromPreset_RealShape_IsTheRealModelsLayout(string name, int layers, int hidden, int heads, int kvHeads, int intermediate, int context, long parameters)
    {
        var shape = LlamaShape.FromPreset(name) with { VocabSize = 32000 };

        Assert.Equal((layers, hidden, heads, kvHeads, intermediate, context), (shape.Layers, shape.Hidden, shape.Heads, shape.KvHeads, shape.Intermediate, shape.ContextLength));
        Assert.Equal(parameters, shape.ParameterCount);
        Assert.False(shape.WritesAllVariants);
    }

    [Fact]
    public void Small_Always_IsTheBenchmarkShape()
    {
        var small = LlamaShape.Small;

        Assert.Equal((8, 512, 8, 4, 1376), (small.Layers, small.Hidden, small.Heads, small.KvHeads, small.Intermediate));
        Assert.Equal(LlamaVocabulary.Size, small.VocabSize);
        Assert.Equal(64, small.HeadSize);
        Assert.InRange(small.ParameterCount, 23_000_000, 26_000_000);
    }

    [Fact]
    public void Tiny_Always_IsTheTestShape()
    {
        var tiny = LlamaShape.Tiny;

        Assert.Equal((2, 64, 4, 2, 192), (tiny.Layers, tiny.Hidden, tiny.Heads, tiny.KvHeads, tiny.Intermediate));
        Assert.Equal(LlamaVocabulary.Size, tiny.VocabSize);
        Assert.Equal(16, tiny.HeadSize);
    }
}
