using Ember.Runtime.Generation;

namespace Ember.Runtime.Tests;

/// <summary>Request shapes the tests use.</summary>
public static class Requests
{
    public const string Tiny = "@ember/tiny-llama";

    public static TextGenerationRequest Greedy(string prompt, int maxTokens) =>
        new() { Prompt = prompt, MaxTokens = maxTokens, Temperature = 0 };

    /// <summary>Waits until the generation has produced its first piece (so its wave is running).</summary>
    public static async Task<IAsyncEnumerator<TextPiece>> FirstPieceAsync(TextGeneration generation)
    {
        var pieces = generation.ReadPiecesAsync().GetAsyncEnumerator();
        Assert.True(await pieces.MoveNextAsync());
        return pieces;
    }
}
