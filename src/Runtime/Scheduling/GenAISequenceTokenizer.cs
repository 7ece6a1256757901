using Ember.Runtime.Engine;
using Ember.Runtime.Structured;

namespace Ember.Runtime.Scheduling;

/// <summary>The tokenizer of a loaded <see cref="GenAIModel"/>, as the continuous scheduler sees it.</summary>
/// <param name="model">The model; its owner disposes it.</param>
/// <remarks>Thread-safe.</remarks>
internal sealed class GenAISequenceTokenizer(GenAIModel model) : ISequenceTokenizer
{
    private TokenMask? _tokenMask;

    /// <inheritdoc/>
    public int EosTokenId => model.EosTokenId;

    /// <inheritdoc/>
    public TokenVocabulary? Vocabulary => model.Vocabulary;

    /// <inheritdoc/>
    /// <remarks>Built on first use, once.</remarks>
    public TokenMask? TokenMask => model.Vocabulary is { } vocabulary
        ? LazyInitializer.EnsureInitialized(ref _tokenMask, () => TokenMask.Of(vocabulary, model.EosTokenId))
        : null;

    /// <inheritdoc/>
    public string? VocabularyError => model.VocabularyError;

    /// <inheritdoc/>
    public TokenTextStream CreateStream() => model.CreateStream();
}
