using System.Diagnostics;
using Ember.Runtime.Diagnostics;
using Ember.Runtime.Engine;
using Ember.Runtime.Generation;
using Ember.Runtime.Structured;
using Microsoft.Extensions.Logging;

namespace Ember.Runtime.Scheduling;

/// <summary>
/// Continuous batching: a request takes a slot as soon as one is free and leaves it the moment it ends. Each
/// iteration its <see cref="StepPlanner"/> admits waiting requests and plans a step within the token budget, its
/// <see cref="StepExecutor"/> runs the step on the decoder (decode tokens and prompt chunks in one call where the
/// model's graph can mix them; else prompt chunks, then a decode step), and the loop picks, publishes and finishes
/// each sequence's tokens, on whichever execution provider the decoder runs (see <see cref="DecoderProvider"/>).
/// </summary>
/// <remarks>
/// The budget, the fairness bound in tokens and the retention of kept histories are the planner's (see the remarks on
/// <see cref="StepPlanner"/>). Scheduler thread only, except <see cref="Active"/> and <see cref="Abilities"/>; the
/// loop owns the decoder and each slot's detokenizer.
/// </remarks>
internal sealed class ContinuousLoop : IBatchLoop, IStepResults
{
    private readonly IDecoder _decoder;
    private readonly ISequenceTokenizer _tokenizer;
    private readonly SchedulerStatistics _statistics;
    private readonly ILogger _logger;
    private readonly string _name;
    private readonly StepPlanner _planner;
    private readonly StepExecutor _executor;
    private readonly SlotOutput?[] _outputs;
    private readonly LogprobCalculator _logprobs = new();
    private int _retained;

    /// <summary>Creates the loop over a decoder whose cache has one slot per sequence of the cap.</summary>
    /// <param name="decoder">The decoder and its cache; the loop owns it.</param>
    /// <param name="tokenizer">The tokenizer.</param>
    /// <param name="settings">The planner's budget and retention; mixed steps are used only where the decoder can run them.</param>
    /// <param name="statistics">What the loop did.</param>
    /// <param name="logger">Logs failures.</param>
    /// <param name="name">The replica's name.</param>
    public ContinuousLoop(IDecoder decoder, ISequenceTokenizer tokenizer, PlannerSettings settings, SchedulerStatistics statistics, ILogger logger, string name)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentNullException.ThrowIfNull(settings);
        _decoder = decoder;
        _tokenizer = tokenizer;
        _statistics = statistics;
        _logger = logger;
        _name = name;
        var chunked = decoder.Provider.ChunkedPrefill;
        var mixed = settings.MixedSteps && decoder.MixedSteps && chunked;
        _planner = new StepPlanner(decoder.Slots, decoder.MaxLength, settings with
        {
            MixedSteps = mixed,
            ChunkedPrefill = chunked,
            SpeculativeTokens = mixed && decoder.Verifies ? settings.SpeculativeTokens : 0,
        });
        _executor = new StepExecutor(decoder, _planner, statistics, logger, name);
        _outputs = new SlotOutput?[decoder.Slots];
        var noVocabulary = tokenizer.Vocabulary is null ? tokenizer.VocabularyError ?? "the tokenizer's vocabulary could not be read" : null;
        Abilities = new(
            decoder.Provider.Provider,
            TokenPenalties: true,
            LogprobsUnavailable: noVocabulary,
            VocabularyUnavailable: noVocabulary,
            ChunkedPrefill: chunked);
    }

    /// <inheritdoc/>
    public int Active => _planner.Active;

    /// <inheritdoc/>
    public LoopAbilities Abilities { get; }

    /// <inheritdoc/>
    public AdapterMailbox Adapters { get; } = new();

    /// <summary>Gets a value indicating whether each step is one call carrying decode tokens and prompt chunks together.</summary>
    public bool MixedSteps => _planner.MixedSteps;

    /// <summary>Gets the most tokens a greedy sequence drafts a step (0: speculation is off, or the decoder cannot verify).</summary>
    public int SpeculativeTokens => _planner.SpeculativeTokens;

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
            for (var slot = 0; slot < _outputs.Length; slot++)
            {
                if (ReleaseSlot(slot) is { } sequence)
                {
                    sequence.Request.Fail(shutdown);
                }
            }

            CountRetained();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => NativeObjectCounter.Release(_decoder);

    /// <summary>
    /// One iteration: admit waiting requests into free slots, release abandoned sequences, then plan and run one step.
    /// Returns false, having done nothing else, when no sequence holds a slot.
    /// </summary>
    /// <remarks>Scheduler thread only; <see cref="Run"/> calls it in a loop, and the scheduler's tests call it step by step.</remarks>
    internal bool Iterate(RequestQueue queue)
    {
        var start = Stopwatch.GetTimestamp();
        Adapters.ApplyPending(_decoder);
        while (_planner.TryAdmit(queue, out var admission))
        {
            Begin(admission);
        }

        if (Active == 0)
        {
            CountRetained();
            return false;
        }

        ReleaseAbandoned();
        var (decodeRun, prefillRun) = _executor.Execute(_planner.Plan(), this);
        _statistics.RecordIteration(Stopwatch.GetTimestamp() - start, decodeRun, prefillRun);
        CountRetained();
        return true;
    }

    /// <inheritdoc/>
    void IStepResults.Prefilled(PrefillChunk chunk, ReadOnlySpan<float> logits)
    {
        if (_planner.Prefilled(chunk))
        {
            Deliver(chunk.Slot, logits);
        }
    }

    /// <inheritdoc/>
    void IStepResults.Decoded(int slot, ReadOnlySpan<float> logits)
    {
        _planner.Decoded(slot);
        Deliver(slot, logits);
    }

    /// <inheritdoc/>
    void IStepResults.Verified(int slot, ReadOnlySpan<float> logits, ReadOnlySpan<int> drafts)
    {
        var vocab = _decoder.VocabSize;
        var accepted = 0;
        for (var position = 0; ; position++)
        {
            // The fed token at this position (the input, then each draft kept so far) is in the cache; its logits pick the next.
            _planner.Decoded(slot);
            Deliver(slot, logits.Slice(position * vocab, vocab));
            if (position == drafts.Length || _planner[slot] is not { } sequence || sequence.NextInput != drafts[position])
            {
                break;
            }

            accepted++;
        }

        _statistics.RecordAccepted(accepted);
        if (_planner[slot] is not null)
        {
            _planner.Verified(slot, drafts.Length, accepted);
        }
    }

    /// <inheritdoc/>
    void IStepResults.Failed(int slot, AiTextGenerationException error) => Fail(slot, error);

    /// <summary>Runs the admission's copies, then gives its request a sampler and a detokenizer.</summary>
    private void Begin(Admission admission)
    {
        foreach (var copy in (ReadOnlySpan<KvCopy?>)[admission.Evacuation, admission.Reuse])
        {
            if (copy is { } kv && !_executor.Copy(kv))
            {
                _planner.CopyFailed(admission, kv);
            }
        }

        var request = admission.Request;
        try
        {
            var constrained = request.Constraint is { } constraint && _tokenizer.TokenMask is { } mask && _tokenizer.Vocabulary is { } vocabulary
                ? new ConstrainedDecoding(constraint, mask, vocabulary, _tokenizer.EosTokenId)
                : null;
            _outputs[admission.Slot] = new SlotOutput(_tokenizer.CreateStream(), new TokenSampler(request.Sampling, request.PromptTokens, constrained));
        }
        catch (AiTextGenerationException e)
        {
            Log.BatchFailed(_logger, _name, e);
            _planner.Release(admission.Slot);
            _planner.Forget(admission.Slot);
            request.Fail(e);
            return;
        }

        _statistics.RecordAdmitted(1);
        if (_planner.PrefixCaching)
        {
            var shared = _planner[admission.Slot]!.Length;
            _statistics.RecordPrefixLookup(shared);
            request.Output.Admitted(shared);
        }
        else
        {
            request.Output.Admitted();
        }
    }

    private void ReleaseAbandoned()
    {
        for (var slot = 0; slot < _outputs.Length; slot++)
        {
            if (_planner[slot] is { } sequence && sequence.Request.FinishIfAbandoned())
            {
                ReleaseSlot(slot);
            }
        }
    }

    /// <summary>Picks and publishes the slot's next token, with its log probabilities when asked, and ends the sequence when the planner says so; a failure ends that sequence alone.</summary>
    private void Deliver(int slot, ReadOnlySpan<float> logits)
    {
        try
        {
            var output = _outputs[slot]!;
            var request = _planner[slot]!.Request;
            var token = output.Sampler.Next(logits);
            var logprobs = request.TopLogprobs is int top && _tokenizer.Vocabulary is { } vocabulary ? _logprobs.Compute(logits, token, top, vocabulary) : null;
            // The end token is not published; publishing a token may complete a stop string.
            var stopped = token != _tokenizer.EosTokenId && request.Output.Publish(new TextPiece(output.Stream.Decode(token), token, logprobs));
            if (_planner.Accept(slot, token, stopped || output.Sampler.ConstraintFinal) is { } reason)
            {
                Finish(slot, reason);
            }
        }
        catch (AiTextGenerationException e)
        {
            Log.BatchFailed(_logger, _name, e);
            Fail(slot, e);
        }
    }

    /// <summary>
    /// Frees the slot, then ends its request with the text its detokenizer still held: the load gauge no longer counts a
    /// sequence whose answer went out.
    /// </summary>
    private void Finish(int slot, FinishReason reason)
    {
        var rest = _outputs[slot]!.Stream.Flush();
        ReleaseSlot(slot)!.Request.Finish(reason, rest);
    }

    /// <summary>Frees the slot and fails its request (if any); its entries are not kept.</summary>
    private void Fail(int slot, AiTextGenerationException error)
    {
        var sequence = ReleaseSlot(slot);
        _planner.Forget(slot);
        sequence?.Request.Fail(error);
    }

    /// <summary>Frees the slot and its detokenizer; returns the sequence that held it, or <see langword="null"/>.</summary>
    private SlotSequence? ReleaseSlot(int slot)
    {
        if (_outputs[slot] is { } output)
        {
            NativeObjectCounter.Release(output.Stream);
            _outputs[slot] = null;
        }

        return _planner.Release(slot);
    }

    /// <summary>Keeps the statistics' count of retained histories in step with this replica's.</summary>
    private void CountRetained()
    {
        var retained = _planner.Retained;
        if (retained != _retained)
        {
            _statistics.RecordRetained(retained - _retained);
            _retained = retained;
        }
    }
}
