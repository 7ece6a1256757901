using Ember.Runtime.Engine;
using Ember.Tests.Shared;

namespace Ember.Runtime.Tests.Engine;

/// <summary>
/// Llama 2's and Mistral 7B's real tokenizers (<see cref="RealTokenizers"/>), each loaded by Ember and by Hugging Face's
/// Rust tokenizers once for the collection. A failed fetch fails every test of the collection with the script's message.
/// </summary>
public sealed class RealTokenizerFixture : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ember-real-tokenizers-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, RealTokenizer> _tokenizers = [];

    /// <summary>Llama 2's tokenizer.</summary>
    internal RealTokenizer Llama2 => this["llama-2"];

    /// <summary>Mistral 7B v0.1's tokenizer.</summary>
    internal RealTokenizer Mistral => this["mistral"];

    /// <summary>The tokenizer of the folder named <paramref name="name"/> (<c>llama-2</c> or <c>mistral</c>).</summary>
    internal RealTokenizer this[string name] => _tokenizers[name];

    public async Task InitializeAsync()
    {
        foreach (var folder in new[] { await RealTokenizers.Llama2Async(), await RealTokenizers.MistralAsync() })
        {
            var name = Path.GetFileName(folder);
            _tokenizers[name] = RealTokenizer.Load(folder, Path.Combine(_root, name));
        }
    }

    public Task DisposeAsync()
    {
        foreach (var tokenizer in _tokenizers.Values)
        {
            tokenizer.Dispose();
        }

        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// The tests on the real tokenizers. They run alone, after the parallel collections: they create ORT GenAI objects,
/// which <see cref="NativeObjectCounter"/> counts process-wide, and a test elsewhere asserts that count is unchanged
/// across a host's life.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealTokenizerGroup : ICollectionFixture<RealTokenizerFixture>
{
    public const string Name = "real tokenizers";
}
