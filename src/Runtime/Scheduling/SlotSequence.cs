using Microsoft.ML.OnnxRuntimeGenAI;

namespace Ember.Runtime.Scheduling;

/// <summary>A sequence holding a slot of the continuous scheduler's cache.</summary>
/// <remarks>Scheduler thread only; the scheduler releases <see cref="Stream"/> when the slot is freed.</remarks>
internal sealed class SlotSequence
{
    /// <summary>Creates the state of a sequence whose prompt was just prefilled.</summary>
    public SlotSequence(SequenceRequest request, TokenizerStream stream, TokenSampler sampler)
    {
        Request = request;
        Stream = stream;
        Sampler = sampler;
        Length = request.PromptTokens.Length;
    }

    /// <summary>The request.</summary>
    public SequenceRequest Request { get; }

    /// <summary>Turns its tokens into whole UTF-8 characters.</summary>
    public TokenizerStream Stream { get; }

    /// <summary>Picks its tokens.</summary>
    public TokenSampler Sampler { get; }

    /// <summary>Tokens whose keys and values are in the cache.</summary>
    public int Length { get; set; }

    /// <summary>The last token picked, not yet in the cache: the next decode step's input.</summary>
    public int NextInput { get; set; }

    /// <summary>Tokens generated.</summary>
    public int Generated { get; set; }
}
