using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;

namespace Ember.Host.Tests.Infrastructure;

/// <summary>
/// Starts the real Ember host on Kestrel at <c>127.0.0.1:0</c> once per test collection, through the same
/// <see cref="EmberHost"/> factory as <c>Program</c>, and stops it at the end.
/// </summary>
public abstract class HostFixture : IAsyncLifetime
{
    /// <summary>The bearer token the test hosts accept.</summary>
    public const string Token = "test-token-7f3a";

    private WebApplication? _app;

    /// <summary>Gets the address the host listens on.</summary>
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    /// <summary>Gets a folder for this host's files (models, configuration), deleted at the end.</summary>
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "ember-host-tests-" + Guid.NewGuid().ToString("N"));

    /// <summary>Gets the services of the running host.</summary>
    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("The host is not started.");

    /// <summary>Creates a client for the host, with the bearer token unless <paramref name="authenticated"/> is false.</summary>
    /// <param name="authenticated">Whether to send the token.</param>
    /// <returns>The client; the caller disposes it.</returns>
    public HttpClient CreateClient(bool authenticated = true)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (authenticated)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        }

        return client;
    }

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Folder);
        string config = Path.Combine(Folder, "runtime.json");
        await File.WriteAllTextAsync(config, ConfigJson);
        string[] args =
        [
            "--config", config,
            "--urls", "http://127.0.0.1:0",
            "--Logging:LogLevel:Default", "Warning",
            .. Arguments(),
        ];
        WebApplicationBuilder builder = EmberHost.CreateBuilder(args);
        Configure(builder);
        _app = EmberHost.Build(builder);
        IReadOnlyList<string> addresses = await EmberHost.StartAsync(_app, CancellationToken.None);
        BaseAddress = new Uri(addresses[0] + "/");
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        try
        {
            if (_app is not null)
            {
                await _app.StopAsync();
                await _app.DisposeAsync();
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

    /// <summary>Gets the runtime configuration file's text, written to the fixture's folder and passed as <c>--config</c>.</summary>
    protected virtual string ConfigJson => "{}";

    /// <summary>Extra command-line arguments; by default, the test token.</summary>
    /// <returns>The arguments.</returns>
    protected virtual IEnumerable<string> Arguments() => ["--Auth:Tokens:0", Token];

    /// <summary>Installs the runtime and any other services.</summary>
    /// <param name="builder">The builder.</param>
    protected abstract void Configure(WebApplicationBuilder builder);
}
