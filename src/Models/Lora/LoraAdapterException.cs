namespace Ember.Models.Lora;

/// <summary>An adapter was refused: its files are unreadable, or it does not fit the model; the message names the file and the mismatch.</summary>
public sealed class LoraAdapterException : Exception
{
    /// <summary>Creates an exception with no message.</summary>
    public LoraAdapterException()
    {
    }

    /// <summary>Creates an exception with <paramref name="message"/>.</summary>
    public LoraAdapterException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with <paramref name="message"/> caused by <paramref name="innerException"/>.</summary>
    public LoraAdapterException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
