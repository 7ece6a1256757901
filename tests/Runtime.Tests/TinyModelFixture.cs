using Ember.Models.Writing;

namespace Ember.Runtime.Tests;

/// <summary>Writes Ember's tiny model, every variant, once for the whole collection.</summary>
public sealed class TinyModelFixture : IAsyncLifetime
{
    /// <summary>The folder holding fp32/fp16/int8/int4.</summary>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "ember-runtime-tests-" + Guid.NewGuid().ToString("N"));

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
