using Ember.Runtime.Generation;

namespace Ember.Runtime.Scheduling;

/// <summary>Where a <see cref="StepExecutor"/> reports what a step's calls gave: the continuous scheduler samples and publishes from it.</summary>
/// <remarks>Called on the scheduler thread, in the step's order; the logits are valid only during the call.</remarks>
internal interface IStepResults
{
    /// <summary>A prompt chunk ran; <paramref name="logits"/> are its last token's (the first token's, when it completes the prompt).</summary>
    void Prefilled(PrefillChunk chunk, ReadOnlySpan<float> logits);

    /// <summary>The slot's decode row ran; <paramref name="logits"/> are its next token's.</summary>
    void Decoded(int slot, ReadOnlySpan<float> logits);

    /// <summary>A call the slot took part in failed: its sequence, if any, fails, and its entries are not kept.</summary>
    void Failed(int slot, AiTextGenerationException error);
}
