using Ember.Runtime.Generation;

namespace Ember.Runtime.Tests.Generation;

/// <summary>A streamed request's pieces, the tokens they came with (a piece with none, such as a last partial character, adds no token), and its result.</summary>
internal sealed record StreamedRun(List<string> Pieces, List<int> Tokens, TextGenerationResult Result)
{
    /// <summary>Streams <paramref name="request"/> on the tiny model's id and collects it.</summary>
    public static async Task<StreamedRun> CollectAsync(RuntimeHarness runtime, TextGenerationRequest request)
    {
        var generation = await runtime.Generation.StartAsync(Requests.Tiny, request with { Stream = true }, CancellationToken.None);
        var (pieces, tokens) = (new List<string>(), new List<int>());
        await foreach (var piece in generation.ReadPiecesAsync())
        {
            pieces.Add(piece.Text);
            if (piece.TokenId >= 0)
            {
                tokens.Add(piece.TokenId);
            }
        }

        return new StreamedRun(pieces, tokens, await generation.Completion);
    }
}
