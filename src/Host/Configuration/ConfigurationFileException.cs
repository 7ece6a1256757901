using Microsoft.Extensions.Configuration.Json;

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

    /// <summary>
    /// Reads <paramref name="path"/> and parses it as the JSON configuration provider does (comments and trailing
    /// commas allowed, an object at the top, no duplicate keys), so that a bad file is refused with its name rather
    /// than with the provider's stack trace.
    /// </summary>
    /// <param name="path">The absolute path of a file that exists.</param>
    /// <exception cref="ConfigurationFileException">The file cannot be read, or cannot be parsed.</exception>
    public static void ThrowIfUnusable(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FileStream stream;
        try
        {
            stream = File.OpenRead(path);
        }
        catch (UnauthorizedAccessException exception)
        {
            throw new ConfigurationFileException($"The configuration file '{path}' cannot be read: permission denied.", exception);
        }
        catch (IOException exception)
        {
            throw new ConfigurationFileException($"The configuration file '{path}' cannot be read: {OneLine(exception.Message)}", exception);
        }

        using (stream)
        using (var provider = new JsonConfigurationProvider(new JsonConfigurationSource()))
        {
            try
            {
                provider.Load(stream);
            }
            catch (FormatException exception) when (exception.InnerException is System.Text.Json.JsonException json)
            {
                throw new ConfigurationFileException($"The configuration file '{path}' is not valid JSON: {OneLine(json.Message)}", exception);
            }
            catch (FormatException exception)
            {
                // Valid JSON that configuration cannot bind: a top-level array or value, or a key given twice.
                throw new ConfigurationFileException($"The configuration file '{path}' is not a valid configuration: {OneLine(exception.Message)}", exception);
            }
            catch (IOException exception)
            {
                throw new ConfigurationFileException($"The configuration file '{path}' cannot be read: {OneLine(exception.Message)}", exception);
            }
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
