namespace Ember.Runtime.Scheduling;

/// <summary>A sequence holding a slot of the continuous scheduler's cache, as the planner sees it: first prefilling its prompt, then decoding.</summary>
/// <remarks>Scheduler thread only.</remarks>
internal sealed class SlotSequence
{
    /// <summary>Creates the state of a request just given a slot.</summary>
    public SlotSequence(SequenceRequest request) => Request = request;

    /// <summary>The request.</summary>
    public SequenceRequest Request { get; }

    /// <summary>Tokens whose keys and values are in the cache.</summary>
    public int Length { get; set; }

    /// <summary>Whether part of the prompt is still to be prefilled (no token has been picked yet).</summary>
    public bool IsPrefilling => Length < Request.PromptTokens.Length;

    /// <summary>The last token picked, not yet in the cache: the next decode step's input.</summary>
    public int NextInput { get; set; }

    /// <summary>Tokens generated.</summary>
    public int Generated { get; set; }
}
