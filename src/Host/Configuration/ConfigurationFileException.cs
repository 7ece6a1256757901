namespace Ember.Host.Configuration;

/// <summary>
/// The runtime configuration file exists but cannot be used: it cannot be read, or it is not what the JSON
/// configuration provider accepts. The message is one line that names the file; the host prints it and exits with 1.
/// </summary>
public sealed class ConfigurationFileException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ConfigurationFileException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">One line naming the file and what is wrong with it.</param>
    public ConfigurationFileException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">One line naming the file and what is wrong with it.</param>
    /// <param name="innerException">The read or parse failure.</param>
    public ConfigurationFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
