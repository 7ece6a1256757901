namespace Ember.Host.Batch;

/// <summary>How a lease ended (<see cref="IBatchStore.CompleteAsync"/>, <see cref="IBatchStore.RetryAsync"/>): what became of the item and of its job.</summary>
public enum BatchLeaseEnd
{
    /// <summary>The lease was lost (expired and taken by another node, or the job is gone): nothing was stored.</summary>
    Lost = 0,

    /// <summary>The item is queued again for another attempt.</summary>
    Requeued,

    /// <summary>The item has its result; its job still has items to run.</summary>
    Done,

    /// <summary>The item has its result and was its job's last: the job is finished.</summary>
    JobFinished,
}
