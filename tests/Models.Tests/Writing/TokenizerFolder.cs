using Ember.Models.Writing;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace Ember.Models.Tests.Writing;

/// <summary>
/// A temporary folder holding the tokenizer files of <see cref="LlamaVocabulary.Default"/> and a minimal
/// <c>genai_config.json</c>, with an ORT GenAI <see cref="Tokenizer"/> loaded from it. Shared by a test class.
/// </summary>
public sealed class TokenizerFolder : IAsyncLifetime, IDisposable
{
    private Tokenizer? _tokenizer;

    /// <summary>Gets the folder.</summary>
    public string Path { get; } = System.IO.Path.Combine(
        System.IO.Path.GetTempPath(), "ember-tokenizer-" + Guid.NewGuid().ToString("N"));

    /// <summary>Gets the tokenizer loaded from the folder.</summary>
    public Tokenizer Tokenizer => _tokenizer ?? throw new InvalidOperationException("The folder is not initialized.");

    /// <summary>Writes the minimal <c>genai_config.json</c> ORT GenAI needs to build a tokenizer from a folder.</summary>
    /// <param name="directory">The folder.</param>
    public static void WriteGenAIConfig(string directory) =>
        File.WriteAllText(System.IO.Path.Combine(directory, "genai_config.json"), """
            {
              "model": {
                "type": "llama",
                "context_length": 2048,
                "vocab_size": 1024,
                "bos_token_id": 1,
                "eos_token_id": 2,
                "pad_token_id": 0,
                "decoder": {
                  "filename": "model.onnx"
                }
              },
              "search": {
                "max_length": 2048
              }
            }
            """);

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        await TokenizerWriter.WriteAsync(Path, LlamaVocabulary.Default, CancellationToken.None);
        WriteGenAIConfig(Path);
        using var config = new Config(Path);
        _tokenizer = new Tokenizer(config);
    }

    /// <inheritdoc/>
    public Task DisposeAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _tokenizer?.Dispose();
        _tokenizer = null;
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
