using Microsoft.Extensions.Configuration.Json;

namespace Ember.Host.Configuration;

/// <summary>Checks the runtime configuration file before the configuration provider loads it.</summary>
public static class ConfigurationFileCheck
{
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
