using Ember.Runtime.Diagnostics;
using Ember.Runtime.Engine;
using Ember.Runtime.Generation;
using Microsoft.Extensions.Logging;

namespace Ember.Runtime.Scheduling;

/// <summary>
/// Takes waves of up to the sequence cap of compatible requests and decodes each to its end on one batched ORT
/// GenAI generator before taking the next. Runs on every execution provider.
/// </summary>
internal sealed class WaveLoop : IBatchLoop
{
    private readonly GenAIModel _model;
    private readonly int _cap;
    private readonly SchedulerStatistics _statistics;
    private readonly ILogger _logger;
    private readonly string _name;
    private int _active;

    /// <summary>Creates the loop.</summary>
    public WaveLoop(GenAIModel model, int cap, SchedulerStatistics statistics, ILogger logger, string name)
    {
        _model = model;
        _cap = cap;
        _statistics = statistics;
        _logger = logger;
        _name = name;
        Abilities = new(model.Provider, TokenPenalties: false, LogprobsUnavailable: "they need the continuous scheduler, and it runs on Waves",
            VocabularyUnavailable: "constrained decoding needs the continuous scheduler, and it runs on Waves", ChunkedPrefill: false);
    }

    /// <inheritdoc/>
    public int Active => Volatile.Read(ref _active);

    /// <inheritdoc/>
    public LoopAbilities Abilities { get; }

    /// <inheritdoc/>
    public void Run(RequestQueue queue, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                queue.Wait(stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var wave = queue.TakeWave(_cap, Fits);
            wave.RemoveAll(r => r.FinishIfAbandoned());
            if (wave.Count == 0)
            {
                continue;
            }

            Volatile.Write(ref _active, wave.Count);
            _statistics.RecordAdmitted(wave.Count);
            _statistics.RecordBatch(wave.Count);
            wave.ForEach(request => request.Output.Admitted());
            Log.WaveStarted(_logger, _name, wave.Count);
            try
            {
                WaveRunner.Run(_model, wave, _model.PadTokenId, stopping);
            }
            catch (AiTextGenerationException e)
            {
                Log.BatchFailed(_logger, _name, e);
                wave.ForEach(r => r.Fail(e));
            }
            finally
            {
                Volatile.Write(ref _active, 0);
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private bool Fits(IReadOnlyList<SequenceRequest> wave, SequenceRequest candidate)
    {
        var width = Math.Max(wave.Max(r => r.PromptTokens.Length), candidate.PromptTokens.Length);
        var budget = Math.Max(wave.Max(r => r.MaxTokens), candidate.MaxTokens);
        return candidate.Sampling.CanShareBatchWith(wave[0].Sampling) && width + budget <= _model.ContextLength;
    }
}
