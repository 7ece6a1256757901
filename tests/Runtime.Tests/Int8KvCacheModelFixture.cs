using Ember.Models.Catalog;
using Ember.Models.Writing;

namespace Ember.Runtime.Tests;

/// <summary>
/// The tiny model written once in every variant with an int8 KV cache (<see cref="LlamaWriterOptions.KvCache"/>
/// <see cref="KvCacheType.Int8"/>): the same weights as <see cref="TinyModelFixture"/>'s, another cache.
/// </summary>
public sealed class Int8KvCacheModelFixture : IModelFixture, IAsyncLifetime
{
    /// <inheritdoc/>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "ember-int8-kv-tests-" + Guid.NewGuid().ToString("N"));

    /// <inheritdoc/>
    public string Folder(string variant) => Path.Combine(Root, variant);

    public Task InitializeAsync() => LlamaModelWriter.WriteAllAsync(Root, LlamaShape.Tiny, new LlamaWriterOptions { KvCache = KvCacheType.Int8 }, CancellationToken.None);

    public Task DisposeAsync()
    {
        Directory.Delete(Root, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>
/// Runs alone, as the other model collections that load decoders do: <see cref="Ember.Runtime.Engine.NativeObjectCounter"/> is
/// process-wide, and a collection loading beside another changes what that one counts.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Int8KvCacheTestGroup : ICollectionFixture<Int8KvCacheModelFixture>, ICollectionFixture<TinyModelFixture>
{
    public const string Name = "runtime on the tiny model with an int8 KV cache";
}
