namespace Ember.Runtime.Generation;

/// <summary>A failed text-generation request; <see cref="Kind"/> says how it failed.</summary>
public sealed class AiTextGenerationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AiTextGenerationException(AiErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException) => Kind = kind;

    /// <summary>Creates a <see cref="AiErrorKind.RuntimeFailure"/>.</summary>
    public AiTextGenerationException()
        : this(AiErrorKind.RuntimeFailure, "Text generation failed.")
    {
    }

    /// <summary>Creates a <see cref="AiErrorKind.RuntimeFailure"/> with a message.</summary>
    public AiTextGenerationException(string message)
        : this(AiErrorKind.RuntimeFailure, message)
    {
    }

    /// <summary>Creates a <see cref="AiErrorKind.RuntimeFailure"/> with a message and a cause.</summary>
    public AiTextGenerationException(string message, Exception innerException)
        : this(AiErrorKind.RuntimeFailure, message, innerException)
    {
    }

    /// <summary>How the request failed.</summary>
    public AiErrorKind Kind { get; }
}
