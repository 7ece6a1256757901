using Ember.Runtime.Generation;

namespace Ember.Runtime.Tests.Generation;

public sealed class TextGenerationWriterTests
{
    [Fact]
    public async Task Finish_AfterTwoPieces_ReaderGetsThemAndTheUsage()
    {
        var writer = new TextGenerationWriter(promptTokens: 5, maxTokens: 8);

        writer.Publish(new TextPiece(" hello", 101));
        writer.Publish(new TextPiece(" world", 102));
        writer.Finish(FinishReason.Stop);

        var pieces = new List<string>();
        await foreach (var piece in writer.Generation.ReadPiecesAsync())
        {
            pieces.Add(piece.Text);
        }

        Assert.Equal([" hello", " world"], pieces);
        Assert.Equal(new TextGenerationResult(" hello world", new TextGenerationUsage(5, 2), FinishReason.Stop), await writer.Generation.Completion);
        Assert.Equal(8, writer.Generation.MaxTokens);
    }

    [Fact]
    public async Task Fail_ReaderAndCompletionThrowTheError()
    {
        var writer = new TextGenerationWriter(3, 4);
        var error = new AiTextGenerationException(AiErrorKind.Timeout, "too slow");

        writer.Publish(new TextPiece("a", 7));
        writer.Fail(error);

        Assert.Same(error, await Assert.ThrowsAsync<AiTextGenerationException>(() => writer.Generation.ReadToEndAsync()));
        Assert.Same(error, await Assert.ThrowsAsync<AiTextGenerationException>(() => writer.Generation.Completion));
    }

    [Theory]
    [InlineData(-1, 4)]
    [InlineData(3, 0)]
    public void Create_CountsOutOfRange_Throw(int promptTokens, int maxTokens) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new TextGenerationWriter(promptTokens, maxTokens));
}
