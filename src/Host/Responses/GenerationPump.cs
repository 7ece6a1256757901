using System.Text;
using Ember.Runtime.Generation;

namespace Ember.Host.Responses;

/// <summary>
/// Reads a generation into a response shape: the one stream pump both APIs use, whole or streamed. Stop strings are
/// the runtime's: it holds back text that could start one and ends the sequence at the step that completes it.
/// </summary>
/// <remarks>
/// A token's log probabilities go with the text that carries it: a token whose text the runtime holds back (a possible
/// stop string) waits, and so does its entry. Stateless; each call owns its state.
/// </remarks>
internal static class GenerationPump
{
    /// <summary>Pumps <paramref name="generation"/> into <paramref name="response"/> and writes its end.</summary>
    /// <param name="generation">The running generation.</param>
    /// <param name="response">The response shape.</param>
    /// <param name="transcript">Collects the text handed on, for the trace log; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">The request's abort token.</param>
    /// <param name="tools">Reads the answer into text or tool calls, for a shape that answers calls (<see cref="IToolCallResponse"/>); <see langword="null"/>: all text.</param>
    /// <returns>A task that completes when the end is written.</returns>
    public static async Task RunAsync(TextGeneration generation, IGenerationResponse response, StringBuilder? transcript, CancellationToken cancellationToken, ToolCallReader? tools = null)
    {
        var calling = tools is not null ? response as IToolCallResponse : null;
        var pending = new List<TextPiece>();
        await foreach (TextPiece piece in generation.ReadPiecesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (piece.Logprobs is not null)
            {
                pending.Add(piece);
            }

            if (piece.Text.Length > 0)
            {
                transcript?.Append(piece.Text);
                TextPiece[] taken = [.. pending];
                pending.Clear();
                if (calling is null)
                {
                    await response.WriteTextAsync(piece.Text, taken, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    // A call's tokens carry no log probabilities out: they go with text only.
                    await WriteStepsAsync(calling, tools!.Read(piece.Text), taken, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        if (calling is not null)
        {
            await WriteStepsAsync(calling, tools!.Finish(), [], cancellationToken).ConfigureAwait(false);
            calling.SetCalls(tools.Calls);
        }

        if (pending.Count > 0)
        {
            // Tokens whose text was held back and then cut at a stop string: their entries still go out.
            await response.WriteTextAsync(string.Empty, [.. pending], cancellationToken).ConfigureAwait(false);
        }

        TextGenerationResult result = await generation.Completion.ConfigureAwait(false);
        await response.WriteEndAsync(result.Usage, result.FinishReason, cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteStepsAsync(IToolCallResponse response, IReadOnlyList<ToolCallEvent> steps, TextPiece[] tokens, CancellationToken cancellationToken)
    {
        foreach (ToolCallEvent step in steps)
        {
            if (step.Kind == ToolCallEventKind.Text)
            {
                await response.WriteTextAsync(step.Text, tokens, cancellationToken).ConfigureAwait(false);
                tokens = [];
            }
            else
            {
                await response.WriteToolCallAsync(step, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
