using Ember.Runtime.Generation;

namespace Ember.Host.Wire.OpenAi;

/// <summary>A text completion choice's (or chunk's) <c>logprobs</c>, in the legacy completions shape.</summary>
/// <param name="Tokens">The generated tokens' texts.</param>
/// <param name="TokenLogprobs">Their natural-log probabilities.</param>
/// <param name="TopLogprobs">Per token, the most likely tokens at its position by text (a text that two tokens share keeps the likelier).</param>
/// <param name="TextOffset">Per token, where its text starts in the completion's text.</param>
public sealed record TextLogprobs(IReadOnlyList<string> Tokens, IReadOnlyList<double> TokenLogprobs, IReadOnlyList<IReadOnlyDictionary<string, double>> TopLogprobs, IReadOnlyList<int> TextOffset)
{
    /// <summary>The wire form of the runtime's log probabilities.</summary>
    /// <param name="tokens">The tokens, in order.</param>
    /// <param name="offset">Where the first token's text starts in the completion (for streamed chunks after the first).</param>
    /// <returns>The <c>logprobs</c> object.</returns>
    public static TextLogprobs From(IReadOnlyList<TokenLogprobs> tokens, int offset)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var offsets = new int[tokens.Count];
        for (var i = 0; i < tokens.Count; i++)
        {
            offsets[i] = offset;
            offset += tokens[i].Chosen.Token.Length;
        }

        return new(
            [.. tokens.Select(token => token.Chosen.Token)],
            [.. tokens.Select(token => token.Chosen.Logprob)],
            [.. tokens.Select(token => (IReadOnlyDictionary<string, double>)token.Top
                .GroupBy(top => top.Token, StringComparer.Ordinal)
                .ToDictionary(group => group.Key, group => group.Max(top => top.Logprob), StringComparer.Ordinal))],
            offsets);
    }
}
