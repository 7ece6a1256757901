using Ember.Runtime.Generation;

namespace Ember.Host.Wire.OpenAi;

/// <summary>A chat choice's (or chunk's) <c>logprobs</c>: its tokens with their log probabilities.</summary>
/// <param name="Content">One entry per generated token, in order.</param>
public sealed record ChatLogprobs(IReadOnlyList<ChatTokenLogprob> Content)
{
    /// <summary>Gets the refusal tokens: Ember never refuses, so always <see langword="null"/>.</summary>
    public object? Refusal => null;

    /// <summary>The wire form of the runtime's log probabilities.</summary>
    /// <param name="pieces">The generated pieces, in order, each with its log probabilities.</param>
    /// <returns>The <c>logprobs</c> object.</returns>
    public static ChatLogprobs From(IEnumerable<TextPiece> pieces) =>
        new([.. pieces.Select(piece => piece.Logprobs!).Select(token => new ChatTokenLogprob(
            token.Chosen.Token,
            token.Chosen.Logprob,
            [.. token.Chosen.Bytes.Select(b => (int)b)],
            [.. token.Top.Select(top => new ChatTopLogprob(top.Token, top.Logprob, [.. top.Bytes.Select(b => (int)b)]))]))]);
}
