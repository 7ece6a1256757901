namespace Ember.Runtime.Generation;

/// <summary>
/// What a <see cref="TextGeneration"/> reports of its own course, for the runtime's measurements: when it took a slot,
/// each token, and how it ended.
/// </summary>
/// <remarks>
/// Called on the scheduler's thread, but for the end of a request that never reached a slot, which comes from whichever
/// thread abandoned or closed its queue; an implementation records one end only.
/// </remarks>
internal interface IGenerationTelemetry
{
    /// <summary>The sequence took a slot (or joined a wave), with <paramref name="cachedPromptTokens"/> of its prompt already cached (<see langword="null"/>: no prefix cache was looked in).</summary>
    void Admitted(int? cachedPromptTokens = null);

    /// <summary>A token was generated.</summary>
    void Token();

    /// <summary>The sequence ended for <paramref name="reason"/>.</summary>
    /// <param name="reason">Why it ended.</param>
    /// <param name="promptTokens">Its prompt tokens.</param>
    /// <param name="completionTokens">Its generated tokens.</param>
    void Finished(FinishReason reason, int promptTokens, int completionTokens);

    /// <summary>The sequence failed with an error of <paramref name="kind"/>.</summary>
    /// <param name="kind">The error's kind.</param>
    /// <param name="promptTokens">Its prompt tokens.</param>
    /// <param name="completionTokens">The tokens it generated before failing.</param>
    void Failed(AiErrorKind kind, int promptTokens, int completionTokens);
}
