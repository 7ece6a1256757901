using System.Text;
using Ember.Host.Streaming;
using Ember.Runtime.Generation;

namespace Ember.Host.Responses;

/// <summary>
/// Reads a generation through the stop filter into a response shape: the one stream pump both APIs use, whole or
/// streamed. On a stop string the generation is abandoned (freeing its slot) and usage counts the tokens read so far.
/// </summary>
/// <remarks>
/// A token's log probabilities go with the text that carries it: text held back as a possible stop string waits, and
/// so do its tokens. Stateless; each call owns its state.
/// </remarks>
internal static class GenerationPump
{
    /// <summary>Pumps <paramref name="generation"/> into <paramref name="response"/> and writes its end.</summary>
    /// <param name="generation">The running generation.</param>
    /// <param name="stops">Stop strings; empty for none.</param>
    /// <param name="stopSource">Cancelled to abandon the generation at a stop string.</param>
    /// <param name="response">The response shape.</param>
    /// <param name="transcript">Collects the text handed on, for the trace log; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">The request's abort token.</param>
    /// <returns>A task that completes when the end is written.</returns>
    public static async Task RunAsync(
        TextGeneration generation,
        IReadOnlyList<string> stops,
        CancellationTokenSource stopSource,
        IGenerationResponse response,
        StringBuilder? transcript,
        CancellationToken cancellationToken)
    {
        var filter = new StopSequenceFilter(stops);
        int tokens = 0;
        var pending = new List<TextPiece>();
        async Task HandOnAsync(string text)
        {
            transcript?.Append(text);
            TextPiece[] taken = [.. pending];
            pending.Clear();
            await response.WriteTextAsync(text, taken, cancellationToken).ConfigureAwait(false);
        }

        await foreach (TextPiece piece in generation.ReadPiecesAsync(cancellationToken).ConfigureAwait(false))
        {
            tokens++;
            if (piece.Logprobs is not null)
            {
                pending.Add(piece);
            }

            string text = filter.Push(piece.Text);
            if (text.Length > 0 || (filter.Stopped && pending.Count > 0))
            {
                await HandOnAsync(text).ConfigureAwait(false);
            }

            if (filter.Stopped)
            {
                // Observe the abandoned generation's outcome so that its fault (if any) is not left unobserved.
                _ = generation.Completion.ContinueWith(static task => _ = task.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                generation.MarkStopStringFound();
                await stopSource.CancelAsync().ConfigureAwait(false);
                await response.WriteEndAsync(new TextGenerationUsage(generation.PromptTokens, tokens) { CachedPromptTokens = generation.CachedPromptTokens }, FinishReason.Stop, cancellationToken).ConfigureAwait(false);
                return;
            }
        }

        string rest = filter.Flush();
        if (rest.Length > 0 || pending.Count > 0)
        {
            await HandOnAsync(rest).ConfigureAwait(false);
        }

        TextGenerationResult result = await generation.Completion.ConfigureAwait(false);
        await response.WriteEndAsync(result.Usage, result.FinishReason, cancellationToken).ConfigureAwait(false);
    }
}
