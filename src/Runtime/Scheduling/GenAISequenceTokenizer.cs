using Ember.Runtime.Engine;

namespace Ember.Runtime.Scheduling;

/// <summary>The tokenizer of a loaded <see cref="GenAIModel"/>, as the continuous scheduler sees it.</summary>
/// <param name="model">The model; its owner disposes it.</param>
/// <remarks>Thread-safe.</remarks>
internal sealed class GenAISequenceTokenizer(GenAIModel model) : ISequenceTokenizer
{
    /// <inheritdoc/>
    public int EosTokenId => model.EosTokenId;

    /// <inheritdoc/>
    public TokenVocabulary? Vocabulary => model.Vocabulary;

    /// <inheritdoc/>
    public Structured.TokenMask? TokenMask => model.TokenMask;

    /// <inheritdoc/>
    public string? VocabularyError => model.VocabularyError;

    /// <inheritdoc/>
    public TokenTextStream CreateStream() => model.CreateStream();
}
