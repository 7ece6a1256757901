using Microsoft.ML.OnnxRuntimeGenAI;

namespace Ember.Runtime.Engine;

/// <summary>
/// One sequence's detokenizer: turns its tokens, one at a time, into whole UTF-8 characters (a partial character is
/// held until its last byte arrives). Wraps ORT GenAI's <see cref="TokenizerStream"/>, so schedulers never see it.
/// </summary>
/// <remarks>Used by the owning scheduler thread only; release it with <see cref="NativeObjectCounter.Release"/>.</remarks>
internal sealed class TokenTextStream : IDisposable
{
    private readonly TokenizerStream _stream;

    /// <summary>Wraps <paramref name="stream"/>, which this then owns.</summary>
    public TokenTextStream(TokenizerStream stream) => _stream = stream;

    /// <summary>The text <paramref name="token"/> completes (empty while a character is still partial).</summary>
    /// <exception cref="Generation.AiTextGenerationException">ORT GenAI failed.</exception>
    public string Decode(int token) => OrtGenAI.Guard("decode a token", () => _stream.Decode(token));

    /// <inheritdoc/>
    public void Dispose() => _stream.Dispose();
}
