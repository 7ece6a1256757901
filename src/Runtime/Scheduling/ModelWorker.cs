using Ember.Runtime.Diagnostics;
using Ember.Runtime.Engine;
using Ember.Runtime.Generation;
using Microsoft.Extensions.Logging;

namespace Ember.Runtime.Scheduling;

/// <summary>
/// One replica of a model: its queue and its scheduler thread, which takes waves of up to the sequence cap
/// of compatible requests and decodes each wave to its end before taking the next.
/// </summary>
/// <remarks>
/// <see cref="TryEnqueue"/> and <see cref="Load"/> are thread-safe. Generators and tokenizer streams live on
/// the scheduler thread alone. The worker owns its <see cref="GenAIModel"/> and disposes it on <see cref="Dispose"/>.
/// </remarks>
internal sealed class ModelWorker : IDisposable
{
    private readonly GenAIModel _model;
    private readonly RequestQueue _queue;
    private readonly SchedulerStatistics _statistics;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Thread _thread;
    private int _active;

    /// <summary>Creates a worker; <see cref="Start"/> starts its thread.</summary>
    public ModelWorker(string name, GenAIModel model, int sequenceCap, int queueBound, SchedulerStatistics statistics, ILogger logger)
    {
        Name = name;
        _model = model;
        SequenceCap = sequenceCap;
        _queue = new RequestQueue(queueBound);
        _statistics = statistics;
        _logger = logger;
        _thread = new Thread(Loop) { IsBackground = true, Name = $"ember-scheduler {name}" };
    }

    /// <summary>The replica's name, for logs.</summary>
    public string Name { get; }

    /// <summary>Most sequences decoded at once.</summary>
    public int SequenceCap { get; }

    /// <summary>The loaded model.</summary>
    public GenAIModel Model => _model;

    /// <summary>Sequences decoding plus requests waiting.</summary>
    public int Load => Volatile.Read(ref _active) + _queue.Count;

    /// <summary>Starts the scheduler thread.</summary>
    public void Start() => _thread.Start();

    /// <summary>Queues a request; false when the queue is full.</summary>
    public bool TryEnqueue(SequenceRequest request) => _queue.TryEnqueue(request);

    /// <summary>Stops taking waves, fails waiting requests, and waits for the running wave to end.</summary>
    public void Stop()
    {
        _stopping.Cancel();
        _thread.Join();
        _queue.FailAll(new AiTextGenerationException(AiErrorKind.RuntimeFailure, "The server is shutting down."));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_stopping.IsCancellationRequested)
        {
            Stop();
        }

        _model.Dispose();
        _queue.Dispose();
        _stopping.Dispose();
    }

    private void Loop()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                _queue.Wait(_stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var wave = _queue.TakeWave(SequenceCap, Fits);
            wave.RemoveAll(r => r.IsFinished);
            if (wave.Count == 0)
            {
                continue;
            }

            Volatile.Write(ref _active, wave.Count);
            _statistics.RecordWave(wave.Count);
            Log.WaveStarted(_logger, Name, wave.Count);
            try
            {
                WaveRunner.Run(_model, wave, Models.Writing.LlamaVocabulary.UnkId);
            }
            catch (AiTextGenerationException e)
            {
                Log.WaveFailed(_logger, Name, e);
                wave.ForEach(r => r.Fail(e));
            }
            finally
            {
                Volatile.Write(ref _active, 0);
            }
        }
    }

    private bool Fits(IReadOnlyList<SequenceRequest> wave, SequenceRequest candidate)
    {
        var width = Math.Max(wave.Max(r => r.PromptTokens.Length), candidate.PromptTokens.Length);
        var budget = Math.Max(wave.Max(r => r.MaxTokens), candidate.MaxTokens);
        return candidate.Sampling.CanShareBatchWith(wave[0].Sampling) && width + budget <= _model.ContextLength;
    }
}
