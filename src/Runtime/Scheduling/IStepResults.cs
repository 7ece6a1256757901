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

    /// <summary>
    /// The slot's decode row ran with <paramref name="drafts"/> after its input (speculation): <paramref name="logits"/>
    /// are [1 + drafts, vocab], the next token's after the input and after each drafted token. The sequence keeps the
    /// drafts up to the first that differs from the token it picks.
    /// </summary>
    void Verified(int slot, ReadOnlySpan<float> logits, ReadOnlySpan<int> drafts);

    /// <summary>A call the slot took part in failed: its sequence, if any, fails, and its entries are not kept.</summary>
    void Failed(int slot, AiTextGenerationException error);
}
