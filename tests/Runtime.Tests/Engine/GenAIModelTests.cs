using Ember.Runtime.Engine;
using Ember.Runtime.Options;

namespace Ember.Runtime.Tests.Engine;

[Collection(RuntimeTestGroup.Name)]
public sealed class GenAIModelTests(TinyModelFixture models)
{
    [Fact]
    public void LoadTokenizer_WithoutTheModel_EncodesAndStreamsAsTheLoadedModelDoes()
    {
        using var full = GenAIModel.Load(models.Folder("int8"), ExecutionProvider.Cpu, 0, 0, 2048);
        using var tokenizer = GenAIModel.LoadTokenizer(models.Folder("int8"), 2048);

        Assert.Equal(full.Encode("<s>the cat sat on the mat"), tokenizer.Encode("<s>the cat sat on the mat"));
        Assert.Equal(full.EosTokenId, tokenizer.EosTokenId);
        Assert.NotNull(tokenizer.Vocabulary);
        Assert.Null(tokenizer.EncoderRefusal);
        var stream = tokenizer.CreateStream();
        NativeObjectCounter.Release(stream);
        var error = Assert.Throws<InvalidOperationException>(() => tokenizer.CreateParams());
        Assert.Contains("Only the tokenizer of this model was loaded", error.Message, StringComparison.Ordinal);
    }
}
