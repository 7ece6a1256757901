using Ember.Runtime.Diagnostics;
using Ember.Runtime.Engine;
using Ember.Runtime.Generation;
using Microsoft.Extensions.Logging;

namespace Ember.Runtime.Scheduling;

/// <summary>
/// Continuous batching: a request joins as soon as a slot is free (its prompt is prefilled into that slot) and
/// leaves the moment it ends, between decode steps; every decode step advances every sequence in service by one
/// token, each at its own length. CPU only: the cache lives in host memory.
/// </summary>
internal sealed class ContinuousLoop : IBatchLoop
{
    /// <summary>Most logits one prefill may produce (floats): bounds the rows prefilled together.</summary>
    private const long PrefillLogitsBudget = 1L << 24;

    private readonly DecoderSession _decoder;
    private readonly GenAIModel _model;
    private readonly SchedulerStatistics _statistics;
    private readonly ILogger _logger;
    private readonly string _name;
    private readonly SlotSequence?[] _slots;
    private readonly int[] _tokens;
    private readonly int[] _lengths;
    private int _active;

    /// <summary>Creates the loop over a decoder whose cache has one slot per sequence of the cap.</summary>
    public ContinuousLoop(DecoderSession decoder, GenAIModel model, SchedulerStatistics statistics, ILogger logger, string name)
    {
        _decoder = decoder;
        _model = model;
        _statistics = statistics;
        _logger = logger;
        _name = name;
        _slots = new SlotSequence?[decoder.Slots];
        _tokens = new int[decoder.Slots];
        _lengths = new int[decoder.Slots];
    }

    /// <inheritdoc/>
    public int Active => Volatile.Read(ref _active);

    /// <inheritdoc/>
    public void Run(RequestQueue queue, CancellationToken stopping)
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                Admit(queue);
                if (Active == 0)
                {
                    queue.Wait(stopping);
                    continue;
                }

                Step();
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            var shutdown = new AiTextGenerationException(AiErrorKind.RuntimeFailure, "The server is shutting down.");
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
    /// Fills free slots from the queue: each round takes as many requests as there are free slots in a row from
    /// the first free one (within the prefill budget) and prefills them together.
    /// </summary>
    private void Admit(RequestQueue queue)
    {
        for (var first = Array.IndexOf(_slots, null); first >= 0; first = Array.IndexOf(_slots, null))
        {
            var run = 1;
            while (first + run < _slots.Length && _slots[first + run] is null)
            {
                run++;
            }

            var taken = queue.TakeWave(run, FitsPrefill);
            if (taken.Count == 0)
            {
                return;
            }

            foreach (var request in taken.Where(r => !r.IsFinished && r.IsAbandoned))
            {
                request.FinishAbandoned();
            }

            var batch = taken.Where(r => !r.IsFinished).ToList();
            if (batch.Count > 0)
            {
                Prefill(first, batch);
            }
        }
    }

    private bool FitsPrefill(IReadOnlyList<SequenceRequest> batch, SequenceRequest candidate)
    {
        var width = Math.Max(batch.Max(r => r.PromptTokens.Length), candidate.PromptTokens.Length);
        return (long)(batch.Count + 1) * width * _decoder.VocabSize <= PrefillLogitsBudget;
    }

    private void Prefill(int first, List<SequenceRequest> batch)
    {
        float[][] logits;
        try
        {
            logits = _decoder.Prefill(first, batch.ConvertAll(r => r.PromptTokens));
        }
        catch (AiTextGenerationException e)
        {
            Log.BatchFailed(_logger, _name, e);
            batch.ForEach(r => r.Fail(e));
            return;
        }

        _statistics.RecordAdmitted(batch.Count);
        _statistics.RecordPrefill(batch.Count);
        for (var row = 0; row < batch.Count; row++)
        {
            var request = batch[row];
            try
            {
                _slots[first + row] = new SlotSequence(request, _model.CreateStream(), new TokenSampler(request.Sampling, request.PromptTokens));
                Volatile.Write(ref _active, _active + 1);
                Deliver(first + row, _slots[first + row]!.Sampler.Next(logits[row]));
            }
            catch (AiTextGenerationException e)
            {
                Log.BatchFailed(_logger, _name, e);
                request.Fail(e);
                Release(first + row);
            }
        }
    }

    private void Step()
    {
        var rows = 0;
        for (var slot = 0; slot < _slots.Length; slot++)
        {
            if (_slots[slot] is { } sequence && sequence.Request.IsAbandoned)
            {
                sequence.Request.FinishAbandoned();
                Release(slot);
            }

            var current = _slots[slot];
            _tokens[slot] = current?.NextInput ?? 0;
            _lengths[slot] = current?.Length ?? 0;
            rows = current is null ? rows : slot + 1;
        }

        if (rows == 0)
        {
            return;
        }

        _statistics.RecordBatch(Active);
        ReadOnlySpan<float> logits;
        try
        {
            logits = _decoder.Decode(rows, _tokens, _lengths);
        }
        catch (AiTextGenerationException e)
        {
            Log.BatchFailed(_logger, _name, e);
            for (var slot = 0; slot < rows; slot++)
            {
                _slots[slot]?.Request.Fail(e);
                Release(slot);
            }

            return;
        }

        var vocab = _decoder.VocabSize;
        for (var slot = 0; slot < rows; slot++)
        {
            if (_slots[slot] is { } sequence)
            {
                sequence.Length++;
                Deliver(slot, sequence.Sampler.Next(logits.Slice(slot * vocab, vocab)));
            }
        }
    }

    private void Deliver(int slot, int token)
    {
        var sequence = _slots[slot]!;
        var request = sequence.Request;
        if (token == _model.EosTokenId)
        {
            request.Finish(FinishReason.Stop);
            Release(slot);
            return;
        }

        var text = OrtGenAI.Guard("decode a token", () => sequence.Stream.Decode(token));
        request.Output.Publish(new TextPiece(text, token));
        sequence.NextInput = token;
        if (++sequence.Generated >= request.MaxTokens || sequence.Length + 1 >= _decoder.MaxLength)
        {
            request.Finish(FinishReason.Length);
            Release(slot);
        }
    }

    private void Release(int slot)
    {
        if (_slots[slot] is not { } sequence)
        {
            return;
        }

        NativeObjectCounter.Release(sequence.Stream);
        _slots[slot] = null;
        Volatile.Write(ref _active, _active - 1);
    }
}
