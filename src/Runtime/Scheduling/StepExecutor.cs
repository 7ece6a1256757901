using System.Runtime.InteropServices;
using Ember.Runtime.Diagnostics;
using Ember.Runtime.Engine;
using Ember.Runtime.Generation;
using Microsoft.Extensions.Logging;

namespace Ember.Runtime.Scheduling;

/// <summary>
/// Runs a <see cref="StepPlanner"/>'s plans on an <see cref="IDecoder"/>: a mixed step in one <see cref="IDecoder.Step"/>
/// call; separate steps as one <see cref="IDecoder.Prefill"/> call per chunk, then one <see cref="IDecoder.Decode"/>
/// call over the slots the planner names then. A failed call fails the sequences that took part in it, and the loop
/// goes on.
/// </summary>
/// <remarks>Scheduler thread only; the decoder is owned by the loop.</remarks>
internal sealed class StepExecutor
{
    private readonly IDecoder _decoder;
    private readonly StepPlanner _planner;
    private readonly SchedulerStatistics _statistics;
    private readonly ILogger _logger;
    private readonly string _name;
    private readonly int[] _tokens;
    private readonly int[] _lengths;
    private readonly List<int> _decoding;

    /// <summary>Creates the executor of <paramref name="planner"/>'s plans on <paramref name="decoder"/>.</summary>
    public StepExecutor(IDecoder decoder, StepPlanner planner, SchedulerStatistics statistics, ILogger logger, string name)
    {
        _decoder = decoder;
        _planner = planner;
        _statistics = statistics;
        _logger = logger;
        _name = name;
        _tokens = new int[decoder.Slots];
        _lengths = new int[decoder.Slots];
        _decoding = new List<int>(decoder.Slots);
    }

    /// <summary>Runs a copy an admission asked for; false when it failed (logged).</summary>
    public bool Copy(KvCopy copy)
    {
        try
        {
            _decoder.CopyPrefix(copy.From, copy.To, copy.Tokens);
            return true;
        }
        catch (AiTextGenerationException e)
        {
            Log.BatchFailed(_logger, _name, e);
            return false;
        }
    }

    /// <summary>Runs <paramref name="plan"/>, reporting each result to <paramref name="results"/>.</summary>
    /// <returns>The <see cref="System.Diagnostics.Stopwatch"/> ticks spent inside ONNX Runtime's <c>Run</c>: decode steps (mixed steps too) and prefill calls.</returns>
    public (long DecodeRun, long PrefillRun) Execute(StepPlan plan, IStepResults results)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(results);
        return plan.Mixed ? (RunMixed(plan, results), 0) : RunSeparate(plan, results);
    }

    private long RunMixed(StepPlan plan, IStepResults results)
    {
        if (plan.Rows == 0)
        {
            return 0;
        }

        if (plan.Decodes.Count > 0)
        {
            _statistics.RecordBatch(plan.Decodes.Count);
        }

        SelectAdapters(plan.Rows);
        ReadOnlySpan<float> logits;
        try
        {
            logits = _decoder.Step(plan.Rows, plan.Tokens, plan.Counts.AsSpan(0, plan.Rows), plan.PastLengths.AsSpan(0, plan.Rows), plan.Verifies ? plan.LogitCounts.AsSpan(0, plan.Rows) : default);
        }
        catch (AiTextGenerationException e)
        {
            Log.BatchFailed(_logger, _name, e);
            // An idle row's cache is untouched; every row that fed tokens may hold anything.
            for (var slot = 0; slot < plan.Rows; slot++)
            {
                if (plan.Counts[slot] > 0)
                {
                    results.Failed(slot, e);
                }
            }

            return 0;
        }

        Report(plan, logits, results);
        return _decoder.LastRunTicks;
    }

    /// <summary>
    /// Reports a mixed step's logits, laid out row after row: one position a row (idle rows included) when the step
    /// does not verify, else each row's <see cref="StepPlan.LogitCounts"/>. A prompt chunk's last position goes to
    /// <see cref="IStepResults.Prefilled"/>; a decoding row's to <see cref="IStepResults.Decoded"/>, or, with drafts, its
    /// input's and drafted tokens' positions to <see cref="IStepResults.Verified"/>.
    /// </summary>
    private void Report(StepPlan plan, ReadOnlySpan<float> logits, IStepResults results)
    {
        var vocab = _decoder.VocabSize;
        var at = 0;
        var fed = 0;
        for (var slot = 0; slot < plan.Rows; slot++)
        {
            var positions = plan.Verifies ? plan.LogitCounts[slot] : 1;
            var row = logits.Slice(at * vocab, positions * vocab);
            var input = fed;
            at += positions;
            fed += plan.Counts[slot];
            if (plan.Counts[slot] == 0)
            {
                continue;
            }

            if (_planner[slot] is { IsPrefilling: true })
            {
                var chunk = ChunkOf(plan, slot);
                _statistics.RecordPrefill(chunk.Count);
                results.Prefilled(chunk, row);
            }
            else if (plan.Drafted[slot] > 0)
            {
                _statistics.RecordDrafted(plan.Drafted[slot]);
                results.Verified(slot, row, plan.Tokens.Slice(input + 1, plan.Drafted[slot]));
            }
            else
            {
                results.Decoded(slot, row);
            }
        }
    }

    private static PrefillChunk ChunkOf(StepPlan plan, int slot)
    {
        foreach (var chunk in plan.Chunks)
        {
            if (chunk.Slot == slot)
            {
                return chunk;
            }
        }

        throw new InvalidOperationException($"The plan feeds slot {slot} a prompt chunk it does not list.");
    }

    private (long DecodeRun, long PrefillRun) RunSeparate(StepPlan plan, IStepResults results)
    {
        var prefillRun = 0L;
        foreach (var chunk in plan.Chunks)
        {
            if (!_planner.Expects(chunk))
            {
                continue;
            }

            SelectAdapter(chunk.Slot);
            float[] logits;
            try
            {
                logits = _decoder.Prefill(chunk.Slot, _planner[chunk.Slot]!.Request.PromptTokens.AsSpan(chunk.Start, chunk.Count), chunk.Start);
            }
            catch (AiTextGenerationException e)
            {
                Log.BatchFailed(_logger, _name, e);
                results.Failed(chunk.Slot, e);
                continue;
            }

            prefillRun += _decoder.LastRunTicks;
            _statistics.RecordPrefill(chunk.Count);
            results.Prefilled(chunk, logits);
        }

        return (Decode(results), prefillRun);
    }

    /// <summary>Gives the decoder the adapter of each of slots [0, <paramref name="rows"/>) (an empty slot: none), when it serves any.</summary>
    private void SelectAdapters(int rows)
    {
        if (_decoder.Adapters == 0)
        {
            return;
        }

        for (var slot = 0; slot < rows; slot++)
        {
            SelectAdapter(slot);
        }
    }

    private void SelectAdapter(int slot)
    {
        if (_decoder.Adapters > 0)
        {
            _decoder.SelectAdapter(slot, _planner[slot]?.Request.Adapter ?? -1);
        }
    }

    /// <summary>One decode step over the slots the planner names now (a prompt completed by this step's chunks decodes too).</summary>
    private long Decode(IStepResults results)
    {
        var rows = _planner.DecodeInputs(_tokens, _lengths, _decoding);
        if (rows == 0)
        {
            return 0;
        }

        _statistics.RecordBatch(_decoding.Count);
        SelectAdapters(rows);
        ReadOnlySpan<float> logits;
        try
        {
            logits = _decoder.Decode(rows, _tokens, _lengths);
        }
        catch (AiTextGenerationException e)
        {
            Log.BatchFailed(_logger, _name, e);
            // Every row of the failed step, a throw-away row too, may have written anything.
            for (var slot = 0; slot < rows; slot++)
            {
                results.Failed(slot, e);
            }

            return 0;
        }

        var ticks = _decoder.LastRunTicks;
        var vocab = _decoder.VocabSize;
        foreach (var slot in CollectionsMarshal.AsSpan(_decoding))
        {
            results.Decoded(slot, logits.Slice(slot * vocab, vocab));
        }

        return ticks;
    }
}
