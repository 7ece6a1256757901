using Ember.Models.Lora;
using Ember.Runtime.Diagnostics;
using Ember.Runtime.Engine;
using Ember.Runtime.Generation;
using Microsoft.Extensions.Logging;

namespace Ember.Runtime.Scheduling;

/// <summary>
/// One replica of a model: its bounded queue and its scheduler thread, which runs the replica's
/// <see cref="IBatchLoop"/>.
/// </summary>
/// <remarks>
/// <see cref="TryEnqueue"/> and <see cref="Load"/> are thread-safe. Native batching state lives on the scheduler
/// thread alone. The worker owns its model and loop and disposes them on <see cref="Dispose"/>.
/// </remarks>
internal sealed class ModelWorker : IDisposable
{
    private readonly RequestQueue _queue;
    private readonly IBatchLoop _loop;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Thread _thread;
    private readonly ILogger _logger;

    /// <summary>Creates a worker; <see cref="Start"/> starts its thread.</summary>
    public ModelWorker(string name, GenAIModel model, IBatchLoop loop, int sequenceCap, int queueBound, ILogger logger)
    {
        _logger = logger;
        Name = name;
        Model = model;
        SequenceCap = sequenceCap;
        _loop = loop;
        _queue = new RequestQueue(queueBound);
        _thread = new Thread(RunLoop) { IsBackground = true, Name = $"ember-scheduler {name}" };
    }

    /// <summary>The replica's name, for logs.</summary>
    public string Name { get; }

    /// <summary>Most sequences decoded at once.</summary>
    public int SequenceCap { get; }

    /// <summary>The loaded model (tokenizer, and the generator of the wave loop).</summary>
    public GenAIModel Model { get; }

    /// <summary>Sequences decoding plus requests waiting.</summary>
    public int Load => _loop.Active + _queue.Count;

    /// <summary>What its loop can do.</summary>
    public LoopAbilities Abilities => _loop.Abilities;

    /// <summary>Requests waiting for a slot.</summary>
    public int Queued => _queue.Count;

    /// <summary>Starts the scheduler thread.</summary>
    public void Start() => _thread.Start();

    /// <summary>Queues a request; false when the queue is full.</summary>
    public bool TryEnqueue(SequenceRequest request) => _queue.TryEnqueue(request);

    /// <summary>
    /// Has the replica serve <paramref name="adapters"/> after those it serves (whose numbers do not change) from its
    /// next step on; the task completes once it does.
    /// </summary>
    /// <exception cref="NotSupportedException">Its loop serves no adapters (the wave scheduler).</exception>
    public Task AddAdaptersAsync(IReadOnlyList<LoraAdapter> adapters)
    {
        var mailbox = _loop.Adapters ?? throw new NotSupportedException($"{Name} runs a scheduler that serves no adapters.");
        var applied = mailbox.Post(adapters);
        _queue.Wake();
        return applied;
    }

    /// <summary>Stops the loop, fails waiting requests, and waits for the thread to end.</summary>
    public void Stop()
    {
        _stopping.Cancel();
        if (_thread.IsAlive)
        {
            _thread.Join();
        }

        _queue.Close(SchedulerErrors.ShuttingDown());
    }

    /// <summary>
    /// The scheduler thread. A loop that dies of a defect must not take the process with it: the replica closes
    /// its queue (waiting and later requests fail with a runtime failure) and the failure is logged.
    /// </summary>
    private void RunLoop()
    {
        try
        {
            _loop.Run(_queue, _stopping.Token);
            _loop.Adapters?.Close(SchedulerErrors.ShuttingDown());
        }
#pragma warning disable CA1031 // The thread's last line of defence: anything else would end the process.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.SchedulerDied(_logger, Name, e);
            var failure = new AiTextGenerationException(AiErrorKind.RuntimeFailure, $"The scheduler of {Name} failed; the replica is out of service.", e);
            _loop.Adapters?.Close(failure);
            _queue.Close(failure);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_stopping.IsCancellationRequested)
        {
            Stop();
        }

        _loop.Dispose();
        Model.Dispose();
        _queue.Dispose();
        _stopping.Dispose();
    }
}
