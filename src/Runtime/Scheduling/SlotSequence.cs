using Ember.Runtime.Engine;

namespace Ember.Runtime.Scheduling;

/// <summary>A sequence holding a slot of the continuous scheduler's cache: first prefilling its prompt, then decoding.</summary>
/// <remarks>Scheduler thread only; the scheduler releases <see cref="Stream"/> when the slot is freed.</remarks>
internal sealed class SlotSequence
{
    /// <summary>Creates the state of a request just given a slot; nothing of it is in the cache yet.</summary>
    public SlotSequence(SequenceRequest request, TokenTextStream stream, TokenSampler sampler)
    {
        Request = request;
        Stream = stream;
        Sampler = sampler;
    }

    /// <summary>The request.</summary>
    public SequenceRequest Request { get; }

    /// <summary>Turns its tokens into whole UTF-8 characters.</summary>
    public TokenTextStream Stream { get; }

    /// <summary>Picks its tokens.</summary>
    public TokenSampler Sampler { get; }

    /// <summary>Tokens whose keys and values are in the cache.</summary>
    public int Length { get; set; }

    /// <summary>Whether part of the prompt is still to be prefilled (no token has been picked yet).</summary>
    public bool IsPrefilling => Length < Request.PromptTokens.Length;

    /// <summary>The last token picked, not yet in the cache: the next decode step's input.</summary>
    public int NextInput { get; set; }

    /// <summary>Tokens generated.</summary>
    public int Generated { get; set; }
}
