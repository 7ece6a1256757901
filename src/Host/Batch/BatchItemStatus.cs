namespace Ember.Host.Batch;

/// <summary>Where an item stands.</summary>
public enum BatchItemStatus
{
    /// <summary>Waiting for a node.</summary>
    Queued,

    /// <summary>Leased by a node.</summary>
    Running,

    /// <summary>Has its result.</summary>
    Done,
}
