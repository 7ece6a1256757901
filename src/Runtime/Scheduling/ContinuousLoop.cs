using System.Diagnostics;
using Ember.Runtime.Diagnostics;
using Ember.Runtime.Engine;
using Ember.Runtime.Generation;
using Microsoft.Extensions.Logging;

namespace Ember.Runtime.Scheduling;

/// <summary>
/// Continuous batching: a request takes a slot as soon as one is free and leaves it the moment it ends. Each
/// iteration prefills at most <c>PrefillChunkTokens</c> prompt tokens (so a long prompt joining never stalls
/// the others for long), then runs one decode step that advances every decoding sequence by one token, each at
/// its own length, on whichever execution provider the decoder runs (see <see cref="DecoderProvider"/>).
/// </summary>
/// <remarks>
/// <para>
/// Fairness: requests are admitted in order of arrival (the queue is FIFO) and the prefill budget goes to the
/// prefilling sequences in order of admission, whatever slot they hold: the oldest takes what it needs, then the
/// next. So at most one prompt is ever half done, and a newer prompt never starts before an older one finished.
/// </para>
/// <para>
/// The bound: a sequence admitted behind sequences that still have <c>W</c> prompt tokens to prefill, with a prompt
/// of <c>P</c> tokens, gets its first token at the latest in iteration <c>⌈(W + P) / C⌉</c> after its admission
/// (<c>C</c> = <c>PrefillChunkTokens</c>); once its first chunk ran it gets one every iteration. As <c>W</c> is at
/// most (cap − 1) × the context limit, no admitted request waits more than cap × ⌈context limit / C⌉ iterations.
/// </para>
/// </remarks>
internal sealed class ContinuousLoop : IBatchLoop
{
    /// <summary>Most prompt tokens in one prefill call: it returns logits for every position, so this bounds their memory.</summary>
    private const int MaxPrefillCallTokens = 1024;

    private readonly DecoderSession _decoder;
    private readonly GenAIModel _model;
    private readonly int _prefillChunk;
    private readonly SchedulerStatistics _statistics;
    private readonly ILogger _logger;
    private readonly string _name;
    private readonly SlotSequence?[] _slots;
    private readonly LogprobCalculator _logprobs = new();
    private readonly int[] _tokens;
    private readonly int[] _lengths;
    private readonly int[] _valid;
    private readonly SlotHistory _history;

    /// <summary>The slots still prefilling, in order of admission: the order the prefill budget is handed out in.</summary>
    private readonly List<int> _prefillOrder;
    private int _active;

    /// <summary>Creates the loop over a decoder whose cache has one slot per sequence of the cap.</summary>
    /// <param name="decoder">The decoder and its cache.</param>
    /// <param name="model">The tokenizer.</param>
    /// <param name="prefillChunk">Prompt tokens prefilled per iteration.</param>
    /// <param name="statistics">What the loop did.</param>
    /// <param name="logger">Logs failures.</param>
    /// <param name="name">The replica's name.</param>
    /// <param name="prefixCaching">Whether a finished sequence's entries stay in its slot for a later prompt sharing them (<see cref="SlotHistory"/>).</param>
    public ContinuousLoop(DecoderSession decoder, GenAIModel model, int prefillChunk, SchedulerStatistics statistics, ILogger logger, string name, bool prefixCaching = false)
    {
        _decoder = decoder;
        _model = model;
        _prefillChunk = prefillChunk;
        _statistics = statistics;
        _logger = logger;
        _name = name;
        _slots = new SlotSequence?[decoder.Slots];
        _tokens = new int[decoder.Slots];
        _lengths = new int[decoder.Slots];
        _valid = new int[decoder.Slots];
        _history = new SlotHistory(decoder.Slots, decoder.MaxLength, prefixCaching);
        _prefillOrder = new List<int>(decoder.Slots);
        Abilities = new(
            decoder.Provider.Provider,
            TokenPenalties: true,
            LogprobsUnavailable: model.Vocabulary is null ? model.VocabularyError ?? "the tokenizer's vocabulary could not be read" : null,
            ChunkedPrefill: decoder.Provider.ChunkedPrefill);
    }

    /// <inheritdoc/>
    public int Active => Volatile.Read(ref _active);

    /// <inheritdoc/>
    public LoopAbilities Abilities { get; }

    /// <inheritdoc/>
    public void Run(RequestQueue queue, CancellationToken stopping)
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                if (!Iterate(queue))
                {
                    queue.Wait(stopping);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            var shutdown = SchedulerErrors.ShuttingDown();
            for (var slot = 0; slot < _slots.Length; slot++)
            {
                _slots[slot]?.Request.Fail(shutdown);
                Release(slot);
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose() => NativeObjectCounter.Release(_decoder);

    /// <summary>
    /// One iteration: fill free slots from the queue, release abandoned sequences, prefill up to the chunk budget and
    /// run one decode step. Returns false, having done nothing else, when no sequence holds a slot.
    /// </summary>
    /// <remarks>Scheduler thread only; <see cref="Run"/> calls it in a loop, and the scheduler's tests call it step by step.</remarks>
    internal bool Iterate(RequestQueue queue)
    {
        var start = Stopwatch.GetTimestamp();
        Admit(queue);
        if (Active == 0)
        {
            return false;
        }

        ReleaseAbandoned();
        var prefillRun = Prefill();
        var decodeRun = Step();
        _statistics.RecordIteration(Stopwatch.GetTimestamp() - start, decodeRun, prefillRun);
        return true;
    }

    /// <summary>Gives every free slot, lowest first, to the next waiting request, with the entries of the longest prefix of its prompt any slot holds copied in.</summary>
    private void Admit(RequestQueue queue)
    {
        for (var slot = Array.IndexOf(_slots, null); slot >= 0; slot = Array.IndexOf(_slots, null))
        {
            var taken = queue.TakeWave(1, static (_, _) => false);
            if (taken.Count == 0)
            {
                return;
            }

            var request = taken[0];
            if (request.FinishIfAbandoned())
            {
                continue;
            }

            (slot, var shared) = Reuse(request.PromptTokens, slot);
            try
            {
                _history.Begin(slot, request.PromptTokens);
                var constrained = request.Constraint is { } constraint && _model.TokenMask is { } mask && _model.Vocabulary is { } vocabulary
                    ? new Structured.ConstrainedDecoding(constraint, mask, vocabulary, _model.EosTokenId)
                    : null;
                _slots[slot] = new SlotSequence(request, _model.CreateStream(), new TokenSampler(request.Sampling, request.PromptTokens, constrained)) { Length = shared };
                _prefillOrder.Add(slot);
                Volatile.Write(ref _active, _active + 1);
                _statistics.RecordAdmitted(1);
                if (_history.Enabled)
                {
                    _statistics.RecordPrefixLookup(shared);
                    request.Output.Admitted(shared);
                }
                else
                {
                    request.Output.Admitted();
                }
            }
            catch (AiTextGenerationException e)
            {
                Log.BatchFailed(_logger, _name, e);
                request.Fail(e);
            }
        }
    }

    /// <summary>
    /// The slot for <paramref name="prompt"/> and how many of its first tokens' entries it already holds (prefix
    /// caching): the free slot holding the longest prefix itself when that does not widen the decode step (it lies below
    /// the highest busy slot, or is the lowest free one); otherwise the lowest free slot, with the entries copied there
    /// from wherever they are, a busy slot's too.
    /// </summary>
    /// <returns>The slot, and the tokens reused: 0 for a miss, or when the copy failed (then a free source keeps nothing, and the prompt is prefilled cold).</returns>
    private (int Slot, int Shared) Reuse(int[] prompt, int lowestFree)
    {
        if (!_history.Enabled)
        {
            return (lowestFree, 0);
        }

        var highestBusy = -1;
        for (var i = 0; i < _slots.Length; i++)
        {
            _valid[i] = _slots[i]?.Length ?? _history.Retained(i);
            highestBusy = _slots[i] is null ? highestBusy : i;
        }

        var (source, shared) = _history.Find(prompt, _valid);
        if (source < 0)
        {
            return (lowestFree, 0);
        }

        if (_slots[source] is null && (source < highestBusy || source == lowestFree))
        {
            return (source, shared);
        }

        try
        {
            _decoder.CopyPrefix(source, lowestFree, shared);
            return (lowestFree, shared);
        }
        catch (AiTextGenerationException e)
        {
            Log.BatchFailed(_logger, _name, e);
            if (_slots[source] is null)
            {
                _history.Forget(source);
            }

            return (lowestFree, 0);
        }
    }

    private void ReleaseAbandoned()
    {
        for (var slot = 0; slot < _slots.Length; slot++)
        {
            if (_slots[slot] is { } sequence && sequence.Request.FinishIfAbandoned())
            {
                Release(slot);
            }
        }
    }

    /// <summary>
    /// Prefills up to the chunk budget of prompt tokens, oldest admission first (see the remarks on fairness); a
    /// finished prompt picks its first token and the rest of the budget goes to the next.
    /// The budget holds even while nothing decodes yet: a prompt that has just produced its first token is decoding,
    /// and lifting the budget then made those first sequences wait ~1 s for the rest (measured at 64 streams).
    /// </summary>
    /// <returns>The <see cref="Stopwatch"/> ticks spent inside ONNX Runtime's <c>Run</c>.</returns>
    private long Prefill()
    {
        var runTicks = 0L;
        var budget = _prefillChunk;
        while (budget > 0 && _prefillOrder.Count > 0)
        {
            var slot = _prefillOrder[0];
            var sequence = _slots[slot]!;
            var prompt = sequence.Request.PromptTokens;
            // A provider that cannot prefill in chunks (DirectML) takes the whole prompt in one call, whatever the budget.
            var count = Abilities.ChunkedPrefill
                ? Math.Min(prompt.Length - sequence.Length, Math.Min(budget, MaxPrefillCallTokens))
                : prompt.Length - sequence.Length;
            float[] logits;
            try
            {
                logits = _decoder.Prefill(slot, prompt.AsSpan(sequence.Length, count), sequence.Length);
            }
            catch (AiTextGenerationException e)
            {
                Log.BatchFailed(_logger, _name, e);
                Fail(slot, e);
                continue;
            }

            runTicks += _decoder.LastRunTicks;
            sequence.Length += count;
            budget -= count;
            _statistics.RecordPrefill(count);
            if (!sequence.IsPrefilling)
            {
                _prefillOrder.RemoveAt(0);
                DeliverOrFail(slot, logits);
            }
        }

        return runTicks;
    }

    /// <summary>
    /// One decode step over slots [0, highest decoding + 1). A slot still prefilling runs as a dummy row that
    /// writes one throw-away entry at its length, which its next chunk overwrites; a free slot writes at 0.
    /// </summary>
    /// <returns>The <see cref="Stopwatch"/> ticks spent inside ONNX Runtime's <c>Run</c>; 0 when nothing decoded.</returns>
    private long Step()
    {
        var rows = 0;
        var decoding = 0;
        for (var slot = 0; slot < _slots.Length; slot++)
        {
            var sequence = _slots[slot];
            var decodes = sequence is { IsPrefilling: false };
            _tokens[slot] = decodes ? sequence!.NextInput : 0;
            // A free slot's throw-away row writes just past the entries it keeps for a later prompt.
            _lengths[slot] = sequence?.Length ?? _history.Retained(slot);
            if (decodes)
            {
                rows = slot + 1;
                decoding++;
            }
        }

        if (decoding == 0)
        {
            return 0;
        }

        _statistics.RecordBatch(decoding);
        ReadOnlySpan<float> logits;
        try
        {
            logits = _decoder.Decode(rows, _tokens, _lengths);
        }
        catch (AiTextGenerationException e)
        {
            Log.BatchFailed(_logger, _name, e);
            for (var slot = 0; slot < _slots.Length; slot++)
            {
                // Every row of the failed step, a free slot's too, may have written anything: keep nothing.
                Fail(slot, e);
                _history.Forget(slot);
            }

            return 0;
        }

        var vocab = _decoder.VocabSize;
        for (var slot = 0; slot < rows; slot++)
        {
            if (_slots[slot] is { IsPrefilling: false } sequence)
            {
                _history.Fed(slot, sequence.Length, _tokens[slot]);
                sequence.Length++;
                DeliverOrFail(slot, logits.Slice(slot * vocab, vocab));
            }
        }

        return _decoder.LastRunTicks;
    }

    /// <summary>Picks and delivers the slot's next token, with its log probabilities when asked; a failure ends that sequence alone.</summary>
    private void DeliverOrFail(int slot, ReadOnlySpan<float> logits)
    {
        try
        {
            var sequence = _slots[slot]!;
            var token = sequence.Sampler.Next(logits);
            var logprobs = sequence.Request.TopLogprobs is int top && _model.Vocabulary is { } vocabulary ? _logprobs.Compute(logits, token, top, vocabulary) : null;
            Deliver(slot, token, logprobs);
        }
        catch (AiTextGenerationException e)
        {
            Log.BatchFailed(_logger, _name, e);
            Fail(slot, e);
        }
    }

    private void Deliver(int slot, int token, TokenLogprobs? logprobs)
    {
        var sequence = _slots[slot]!;
        var request = sequence.Request;
        if (token == _model.EosTokenId)
        {
            Finish(slot, FinishReason.Stop);
            return;
        }

        var text = sequence.Stream.Decode(token);
        if (request.Output.Publish(new TextPiece(text, token, logprobs)) || sequence.Sampler.ConstraintFinal)
        {
            // The token completed a stop string, or a structured value no byte can extend: the slot is freed at this step.
            Finish(slot, FinishReason.Stop);
            return;
        }

        sequence.NextInput = token;
        if (++sequence.Generated >= request.MaxTokens || sequence.Length + 1 >= _decoder.MaxLength)
        {
            Finish(slot, FinishReason.Length);
        }
    }

    /// <summary>
    /// Frees the slot, then ends its request with the text its detokenizer still held: the load gauge no longer counts a
    /// sequence whose answer went out.
    /// </summary>
    private void Finish(int slot, FinishReason reason)
    {
        var sequence = _slots[slot]!;
        var rest = sequence.Stream.Flush();
        Release(slot);
        sequence.Request.Finish(reason, rest);
    }

    /// <summary>Frees the slot, then fails its request (a no-op for a free slot).</summary>
    private void Fail(int slot, AiTextGenerationException error)
    {
        if (_slots[slot] is { } sequence)
        {
            Release(slot);
            _history.Forget(slot);
            sequence.Request.Fail(error);
        }
    }

    private void Release(int slot)
    {
        if (_slots[slot] is not { } sequence)
        {
            return;
        }

        NativeObjectCounter.Release(sequence.Stream);
        _history.Retain(slot, sequence.Length);
        _prefillOrder.Remove(slot);
        _slots[slot] = null;
        Volatile.Write(ref _active, _active - 1);
    }
}
