using Ember.Models.Writing;

namespace Ember.Runtime.Tests;

/// <summary>Writes Ember's tiny model, every variant, once for the whole collection.</summary>
public sealed class TinyModelFixture : IModelFixture, IAsyncLifetime
{
    /// <inheritdoc/>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "ember-runtime-tests-" + Guid.NewGuid().ToString("N"));

    /// <inheritdoc/>
    public string Folder(string variant) => Path.Combine(Root, variant);

    public Task InitializeAsync() => LlamaModelWriter.WriteAllAsync(Root, LlamaShape.Tiny, new LlamaWriterOptions(), CancellationToken.None);

    public Task DisposeAsync()
    {
        Directory.Delete(Root, recursive: true);
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class RuntimeTestGroup : ICollectionFixture<TinyModelFixture>
{
    public const string Name = "runtime on the tiny model";
}
