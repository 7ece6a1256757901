namespace Ember.Runtime.Generation;

/// <summary>
/// The producing side of a <see cref="TextGeneration"/>, as <see cref="TaskCompletionSource{TResult}"/> is of a task:
/// an <see cref="IAiTextGeneration"/> made outside Ember's runtime (a test double, a proxy to another server) creates
/// one, returns its <see cref="Generation"/>, and writes the pieces and the end through it.
/// </summary>
/// <remarks>
/// One writer at a time: pieces must be published in order from one thread at once, as Ember's scheduler does. The
/// first of <see cref="Finish"/> and <see cref="Fail"/> ends the generation; pieces published after it are dropped.
/// </remarks>
public sealed class TextGenerationWriter
{
    /// <summary>Creates a generation of a prompt of <paramref name="promptTokens"/> tokens that may generate <paramref name="maxTokens"/>.</summary>
    /// <param name="promptTokens">The prompt's tokens, for usage.</param>
    /// <param name="maxTokens">The most tokens it may generate.</param>
    /// <param name="stops">Stop strings applied to the published text, as <see cref="TextGenerationRequest.Stop"/>; <see langword="null"/>: none.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative, or <paramref name="maxTokens"/> is 0.</exception>
    public TextGenerationWriter(int promptTokens, int maxTokens, IReadOnlyList<string>? stops = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(promptTokens);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTokens);
        Generation = new TextGeneration(promptTokens, maxTokens, stops: stops);
    }

    /// <summary>The generation its readers get.</summary>
    public TextGeneration Generation { get; }

    /// <summary>Publishes the next generated token and the text it completed; usage counts it. With stop strings the text is held back or cut as the runtime does.</summary>
    /// <returns><see langword="true"/> when the token completed a stop string: finish the generation now, as <see cref="FinishReason.Stop"/>.</returns>
    public bool Publish(TextPiece piece) => Generation.Publish(piece);

    /// <summary>Ends the generation with a result.</summary>
    public void Finish(FinishReason reason) => Generation.Finish(reason);

    /// <summary>Ends the generation with an error.</summary>
    public void Fail(AiTextGenerationException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        Generation.Fail(error);
    }
}
