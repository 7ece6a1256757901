namespace Ember.Runtime.Generation;

/// <summary>A failed text-generation request; <see cref="Kind"/> says how it failed.</summary>
public sealed class AiTextGenerationException : Exception
{
    /// <summary>The message Workers AI sends when <c>rejectIfBusy</c> finds no free slot.</summary>
    public const string CapacityExceededMessage = "Capacity temporarily exceeded, please try again.";

    /// <summary>The message of a call its caller abandoned through its token.</summary>
    public const string CancelledMessage = "The request was cancelled by its caller.";

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
