using Ember.Runtime.Generation;

namespace Ember.Host.Wire.OpenAi;

/// <summary>A text completion choice's (or chunk's) <c>logprobs</c>, in the legacy completions shape.</summary>
/// <param name="Tokens">The text each generated token added to the completion (empty for a byte that only began a character; the one that completes it carries the character), so they join up to the text.</param>
/// <param name="TokenLogprobs">Their natural-log probabilities.</param>
/// <param name="TopLogprobs">Per token, the most likely tokens at its position by text (a text that two tokens share keeps the likelier).</param>
/// <param name="TextOffset">Per token, where its text starts in the completion's text.</param>
public sealed record TextLogprobs(IReadOnlyList<string> Tokens, IReadOnlyList<double> TokenLogprobs, IReadOnlyList<IReadOnlyDictionary<string, double>> TopLogprobs, IReadOnlyList<int> TextOffset)
{
    /// <summary>The wire form of the runtime's log probabilities.</summary>
    /// <param name="pieces">The generated pieces, in order, each with its log probabilities.</param>
    /// <param name="offset">Where the first piece's text starts in the completion (for streamed chunks after the first).</param>
    /// <returns>The <c>logprobs</c> object.</returns>
    public static TextLogprobs From(IReadOnlyList<TextPiece> pieces, int offset)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        var offsets = new int[pieces.Count];
        for (var i = 0; i < pieces.Count; i++)
        {
            offsets[i] = offset;
            offset += pieces[i].Text.Length;
        }

        return new(
            [.. pieces.Select(piece => piece.Text)],
            [.. pieces.Select(piece => piece.Logprobs!.Chosen.Logprob)],
            [.. pieces.Select(piece => piece.Logprobs!).Select(token => (IReadOnlyDictionary<string, double>)token.Top
                .GroupBy(top => top.Token, StringComparer.Ordinal)
                .ToDictionary(group => group.Key, group => group.Max(top => top.Logprob), StringComparer.Ordinal))],
            offsets);
    }
}
