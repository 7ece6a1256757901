namespace Ember.Runtime.Generation;

/// <summary>Which requests a replica admits first.</summary>
public enum RequestPriority
{
    /// <summary>A caller waiting for the answer: admitted first.</summary>
    Interactive,

    /// <summary>An item of a batch job: admitted only while no interactive request waits, filling the capacity they leave.</summary>
    Batch,
}
