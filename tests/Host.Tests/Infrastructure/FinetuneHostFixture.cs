namespace Ember.Host.Tests.Infrastructure;

/// <summary>One <see cref="FinetuneHost"/> for the finetunes collection, in a folder deleted at the end; each test works under an account id of its own.</summary>
public sealed class FinetuneHostFixture : IAsyncLifetime
{
    private FinetuneHost? _host;

    /// <summary>Gets the folder of the host's files.</summary>
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "ember-finetunes-" + Guid.NewGuid().ToString("N"));

    /// <summary>Gets the running host.</summary>
    public FinetuneHost Host => _host ?? throw new InvalidOperationException("The host is not started.");

    /// <inheritdoc/>
    public async Task InitializeAsync() => _host = await FinetuneHost.StartAsync(Folder);

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        try
        {
            if (_host is not null)
            {
                await _host.DisposeAsync();
            }
        }
        finally
        {
            if (Directory.Exists(Folder))
            {
                Directory.Delete(Folder, recursive: true);
            }
        }
    }
}

/// <summary>The finetunes API's tests on one host.</summary>
[CollectionDefinition(Name)]
public sealed class FinetuneHostCollectionDefinition : ICollectionFixture<FinetuneHostFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "finetunes host";
}
