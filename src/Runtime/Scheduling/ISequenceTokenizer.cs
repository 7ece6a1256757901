using Ember.Runtime.Engine;
using Ember.Runtime.Structured;

namespace Ember.Runtime.Scheduling;

/// <summary>What the continuous scheduler needs of a model's tokenizer: its end token, its vocabulary and a detokenizer per sequence.</summary>
/// <remarks>Thread-safe.</remarks>
internal interface ISequenceTokenizer
{
    /// <summary>Gets the end-of-sequence token.</summary>
    int EosTokenId { get; }

    /// <summary>Gets each token's text and bytes (log probabilities), or <see langword="null"/> when it could not be read.</summary>
    TokenVocabulary? Vocabulary { get; }

    /// <summary>Gets the trie of token bytes for structured output, or <see langword="null"/> without a <see cref="Vocabulary"/>.</summary>
    TokenMask? TokenMask { get; }

    /// <summary>Gets why <see cref="Vocabulary"/> could not be read, or <see langword="null"/>.</summary>
    string? VocabularyError { get; }

    /// <summary>Creates one sequence's detokenizer; the caller releases it (<see cref="NativeObjectCounter.Release"/>).</summary>
    TokenTextStream CreateStream();
}
