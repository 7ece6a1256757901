using System.Text;
using Ember.Runtime.Generation;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace Ember.Runtime.Engine;

/// <summary>
/// One sequence's detokenizer: turns its tokens, one at a time, into whole characters. A character whose UTF-8 bytes
/// are split across tokens (byte-fallback tokens such as <c>&lt;0xE4&gt;</c>) is held until its last byte arrives.
/// </summary>
/// <remarks>
/// <para>
/// With the model's <see cref="TokenVocabulary"/> (every SentencePiece model Ember serves) the text is exactly the
/// UTF-8 decoding of the tokens' bytes (<see cref="TokenVocabulary.BytesOf"/>; special tokens add none), whatever
/// pieces the bytes came in: a byte sequence that is not UTF-8 becomes U+FFFD, one for each maximal ill-formed part
/// (Unicode's substitution practice, as .NET's <see cref="Encoding.UTF8"/> and Python's
/// <c>bytes.decode("utf-8", errors="replace")</c> give), and a character still partial when the sequence ends becomes
/// one U+FFFD (<see cref="Flush"/>). So the pieces joined are the whole text, no piece holds half a character or a lone
/// surrogate, and no valid character is ever lost. The first token's leading <c>▁</c> stays a space.
/// </para>
/// <para>
/// Without a vocabulary it falls back to ORT GenAI's <see cref="TokenizerStream"/>, which agrees on valid UTF-8 but
/// drops bytes around invalid sequences.
/// </para>
/// <para>Used by the owning scheduler thread only; release it with <see cref="NativeObjectCounter.Release"/>.</para>
/// </remarks>
internal sealed class TokenTextStream : IDisposable
{
    /// <summary>Most characters decoded on the stack; a longer token's text goes to the heap.</summary>
    private const int StackChars = 256;

    private readonly TokenVocabulary? _vocabulary;
    private readonly Decoder? _utf8;
    private readonly TokenizerStream? _ortStream;

    /// <summary>Decodes the bytes <paramref name="vocabulary"/> gives each token.</summary>
    public TokenTextStream(TokenVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        _vocabulary = vocabulary;
        _utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetDecoder();
    }

    /// <summary>Wraps ORT GenAI's <paramref name="stream"/>, which this then owns.</summary>
    public TokenTextStream(TokenizerStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _ortStream = stream;
    }

    /// <summary>The text <paramref name="token"/> completes (empty while a character is still partial, and for a special token).</summary>
    /// <exception cref="AiTextGenerationException">ORT GenAI failed.</exception>
    public string Decode(int token)
    {
        if (_ortStream is { } stream)
        {
            return OrtGenAI.Guard("decode a token", () => stream.Decode(token));
        }

        return _vocabulary!.IsSpecial(token) ? string.Empty : Convert(_vocabulary.BytesOf(token), flush: false);
    }

    /// <summary>The sequence ended: the text of a character left partial (U+FFFD), or empty.</summary>
    public string Flush() => _utf8 is null ? string.Empty : Convert([], flush: true);

    /// <inheritdoc/>
    public void Dispose() => _ortStream?.Dispose();

    private string Convert(ReadOnlySpan<byte> bytes, bool flush)
    {
        var count = _utf8!.GetCharCount(bytes, flush);
        Span<char> chars = count <= StackChars ? stackalloc char[count] : new char[count];
        var written = _utf8.GetChars(bytes, chars, flush);
        return written == 0 ? string.Empty : new string(chars[..written]);
    }
}
