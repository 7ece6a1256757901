using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;

namespace Ember.Runtime.Generation;

/// <summary>
/// A request that was accepted: its text pieces as the scheduler produces them, then its result.
/// </summary>
/// <remarks>
/// The scheduler's thread writes the pieces (a request that never reached a slot is finished by whichever thread
/// abandoned or closed its queue); one reader consumes <see cref="ReadPiecesAsync"/>. With stop strings the text is
/// already cut: the sequence ends as <see cref="FinishReason.Stop"/> at the token that completes one.
/// Abandoning the request is done through the token given to <see cref="IAiTextGeneration.StartAsync(string, TextGenerationRequest, CancellationToken)"/>.
/// An <see cref="IAiTextGeneration"/> made outside Ember's runtime produces one through a <see cref="TextGenerationWriter"/>.
/// </remarks>
public sealed class TextGeneration
{
    private readonly Channel<TextPiece> _pieces = Channel.CreateUnbounded<TextPiece>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = false });

    private readonly TaskCompletionSource<TextGenerationResult> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StringBuilder _text = new();
    private readonly IGenerationTelemetry? _telemetry;
    private int _completionTokens;
    private int _cachedPromptTokens;
    private readonly StopSequenceFilter? _stops;

    internal TextGeneration(int promptTokens, int maxTokens, IGenerationTelemetry? telemetry = null, IReadOnlyList<string>? stops = null)
    {
        PromptTokens = promptTokens;
        MaxTokens = maxTokens;
        _telemetry = telemetry;
        _stops = stops is { Count: > 0 } ? new StopSequenceFilter(stops) : null;
    }

    /// <summary>Tokens of the templated prompt.</summary>
    public int PromptTokens { get; }

    /// <summary>The most tokens this request may generate, after defaults were applied.</summary>
    public int MaxTokens { get; }

    /// <summary>Tokens published so far; read by the scheduler's own tests, which drive it step by step.</summary>
    internal int PublishedTokens => Volatile.Read(ref _completionTokens);

    /// <summary>Completes with the result when the sequence ends, or faults with an <see cref="AiTextGenerationException"/>.</summary>
    public Task<TextGenerationResult> Completion => _result.Task;

    /// <summary>Reads the pieces in order until the sequence ends.</summary>
    /// <exception cref="AiTextGenerationException">The sequence failed or timed out.</exception>
    public async IAsyncEnumerable<TextPiece> ReadPiecesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await _pieces.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_pieces.Reader.TryRead(out var piece))
            {
                yield return piece;
            }
        }
    }

    /// <summary>Reads every piece and returns the result.</summary>
    public async Task<TextGenerationResult> ReadToEndAsync(CancellationToken cancellationToken = default)
    {
        await foreach (var _ in ReadPiecesAsync(cancellationToken).ConfigureAwait(false))
        {
        }

        return await Completion.ConfigureAwait(false);
    }

    /// <summary>Gets the prompt tokens whose cache entries were reused from an earlier sequence (prefix caching).</summary>
    public int CachedPromptTokens => Volatile.Read(ref _cachedPromptTokens);

    /// <summary>The sequence took a slot, with <paramref name="cachedPromptTokens"/> of its prompt already in it (<see langword="null"/>: no prefix cache was looked in).</summary>
    internal void Admitted(int? cachedPromptTokens = null)
    {
        Volatile.Write(ref _cachedPromptTokens, cachedPromptTokens ?? 0);
        _telemetry?.Admitted(cachedPromptTokens);
    }

    /// <summary>
    /// Scheduler side: one generated token and the text it completed. With stop strings, text that could be the start
    /// of one is held back until a later token decides (the token's piece then carries less text, or none), and the
    /// text is cut before the first stop string found.
    /// </summary>
    /// <returns><see langword="true"/> when the token completed a stop string: the sequence must end now, as <see cref="FinishReason.Stop"/>.</returns>
    internal bool Publish(TextPiece piece)
    {
        _completionTokens++;
        _telemetry?.Token();
        var stopped = false;
        if (_stops is { } stops)
        {
            piece = piece with { Text = stops.Push(piece.Text) };
            stopped = stops.Stopped;
        }

        _text.Append(piece.Text);
        _pieces.Writer.TryWrite(piece);
        return stopped;
    }

    /// <summary>Scheduler side: the sequence ended.</summary>
    /// <param name="reason">Why it ended.</param>
    /// <param name="rest">
    /// Text of no token that ends the sequence's text: what the detokenizer held at the end (a partial character's
    /// U+FFFD). It passes the stop strings like any text; one it completes makes a <see cref="FinishReason.Length"/> end a
    /// <see cref="FinishReason.Stop"/>.
    /// </param>
    /// <remarks>
    /// Text held back as a possible stop string that no stop string completed goes out first, with <paramref name="rest"/>,
    /// as a last piece of no token (<see cref="TextPiece.TokenId"/> −1).
    /// </remarks>
    internal void Finish(FinishReason reason, string rest = "")
    {
        if (_stops is { } stops)
        {
            rest = stops.Push(rest) + stops.Flush();
            if (stops.Stopped && reason == FinishReason.Length)
            {
                reason = FinishReason.Stop;
            }
        }

        if (rest.Length > 0)
        {
            _text.Append(rest);
            _pieces.Writer.TryWrite(new TextPiece(rest, -1));
        }

        _telemetry?.Finished(reason, PromptTokens, _completionTokens);
        var result = new TextGenerationResult(_text.ToString(), new TextGenerationUsage(PromptTokens, _completionTokens) { CachedPromptTokens = CachedPromptTokens }, reason);
        _pieces.Writer.TryComplete();
        _result.TrySetResult(result);
    }

    /// <summary>Scheduler side: the sequence failed.</summary>
    internal void Fail(AiTextGenerationException error)
    {
        _telemetry?.Failed(error.Kind, PromptTokens, _completionTokens);
        _pieces.Writer.TryComplete(error);
        _result.TrySetException(error);
    }
}
