using Ember.Runtime.Engine;
using Ember.Runtime.Generation;
using Ember.Runtime.Structured;

namespace Ember.Runtime.Scheduling;

/// <summary>
/// One accepted request on its way through a replica: its prompt tokens, its budget, how it samples and
/// the <see cref="TextGeneration"/> its tokens go to.
/// </summary>
/// <remarks>
/// Created on the request's thread; once queued, only the scheduler thread reads and finishes it, except
/// that an abandoned queued request is removed and finished by the queue under its lock.
/// </remarks>
internal sealed class SequenceRequest
{
    private int _finished;
    private CancellationTokenRegistration _callerRegistration;
    private CancellationTokenRegistration _timeoutRegistration;

    /// <summary>Creates a request.</summary>
    public SequenceRequest(string modelId, int[] promptTokens, int maxTokens, SamplingSettings sampling, TextGeneration output, CancellationToken callerToken, CancellationToken timeoutToken)
    {
        ModelId = modelId;
        PromptTokens = promptTokens;
        MaxTokens = maxTokens;
        Sampling = sampling;
        Output = output;
        CallerToken = callerToken;
        TimeoutToken = timeoutToken;
    }

    /// <summary>The catalog id it was sent to.</summary>
    public string ModelId { get; }

    /// <summary>The templated prompt's token ids, BOS included.</summary>
    public int[] PromptTokens { get; }

    /// <summary>Most tokens to generate.</summary>
    public int MaxTokens { get; }

    /// <summary>How tokens are picked.</summary>
    public SamplingSettings Sampling { get; }

    /// <summary>How many alternatives to report with each token's log probability; <see langword="null"/>: no log probabilities.</summary>
    public int? TopLogprobs { get; init; }

    /// <summary>The LoRA adapter the sequence runs with, as the model's decoder numbers its adapters; -1 for none (the base model).</summary>
    public int Adapter { get; init; } = -1;

    /// <summary>Interactive, or a batch item admitted only while no interactive request waits.</summary>
    public RequestPriority Priority { get; init; }

    /// <summary>The structured-output constraint the sampler applies, or <see langword="null"/> for free text.</summary>
    public IJsonConstraint? Constraint { get; init; }

    /// <summary>Where the tokens go.</summary>
    public TextGeneration Output { get; }

    /// <summary>Cancelled when the caller abandons the request.</summary>
    public CancellationToken CallerToken { get; }

    /// <summary>Cancelled when the request's timeout passes.</summary>
    public CancellationToken TimeoutToken { get; }

    /// <summary>Whether the caller left or the timeout passed.</summary>
    public bool IsAbandoned => CallerToken.IsCancellationRequested || TimeoutToken.IsCancellationRequested;

    /// <summary>Whether it has been finished.</summary>
    public bool IsFinished => Volatile.Read(ref _finished) != 0;

    /// <summary>Calls <paramref name="onAbandoned"/> when the caller leaves or the timeout passes, until it is finished.</summary>
    public void Watch(Action onAbandoned)
    {
        _callerRegistration = CallerToken.Register(onAbandoned);
        _timeoutRegistration = TimeoutToken.Register(onAbandoned);
    }

    /// <summary>Ends it if the caller left or the timeout passed; returns whether it is finished (now or before).</summary>
    public bool FinishIfAbandoned()
    {
        if (!IsFinished && IsAbandoned)
        {
            FinishAbandoned();
        }

        return IsFinished;
    }

    /// <summary>Ends it the way its abandonment says: cancelled by the caller, or timed out.</summary>
    public void FinishAbandoned()
    {
        if (CallerToken.IsCancellationRequested)
        {
            Finish(FinishReason.Cancelled);
        }
        else
        {
            Fail(new AiTextGenerationException(AiErrorKind.Timeout, $"The request to {ModelId} did not finish within its timeout."));
        }
    }

    /// <summary>Ends it with a result; later calls do nothing.</summary>
    /// <param name="reason">Why it ended.</param>
    /// <param name="rest">Text the detokenizer still held (<see cref="TokenTextStream.Flush"/>), published first.</param>
    public void Finish(FinishReason reason, string rest = "")
    {
        if (Interlocked.Exchange(ref _finished, 1) == 0)
        {
            Unwatch();
            Output.Finish(reason, rest);
        }
    }

    /// <summary>Ends it with an error; later calls do nothing.</summary>
    public void Fail(AiTextGenerationException error)
    {
        if (Interlocked.Exchange(ref _finished, 1) == 0)
        {
            Unwatch();
            Output.Fail(error);
        }
    }

    private void Unwatch()
    {
        // Unregister rather than Dispose: this may run inside one of the callbacks, and Dispose would wait for it.
        _callerRegistration.Unregister();
        _timeoutRegistration.Unregister();
    }
}
