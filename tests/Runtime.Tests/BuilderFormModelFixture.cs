using Ember.Models.Catalog;
using Ember.Models.Writing;

namespace Ember.Runtime.Tests;

/// <summary>
/// Writes the tiny model's fp32 variant once in the model builder's form, without <c>query_seqlens</c>
/// (<see cref="LlamaWriterOptions.QuerySeqlens"/> false): the graph a builder export has, with the tiny model's weights.
/// </summary>
public sealed class BuilderFormModelFixture : IModelFixture, IAsyncLifetime
{
    /// <inheritdoc/>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "ember-builder-form-tests-" + Guid.NewGuid().ToString("N"));

    /// <inheritdoc/>
    public string Folder(string variant) => Path.Combine(Root, variant);

    public Task InitializeAsync() =>
        LlamaModelWriter.WriteAsync(Folder("fp32"), LlamaShape.Tiny, ModelVariant.Fp32, new LlamaWriterOptions { QuerySeqlens = false }, CancellationToken.None);

    public Task DisposeAsync()
    {
        Directory.Delete(Root, recursive: true);
        return Task.CompletedTask;
    }
}
