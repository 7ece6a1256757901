using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;

namespace Ember.Host.Tests.Infrastructure;

/// <summary>
/// A real host (the tiny model, the batch API on SQLite) in a folder the caller owns, so a test can stop it and start
/// another on the same database. Two bearer tokens, so a job's owner can be told from another caller.
/// </summary>
public sealed class BatchHost : IAsyncDisposable
{
    public const string OtherToken = "other-token-51c2";

    /// <summary>The configuration: the tiny model, and the batch API on SQLite unless <paramref name="postgres"/> names a database; leases of <paramref name="lease"/> (5 s by default).</summary>
    public static string ConfigJson(string? postgres = null, string lease = "00:00:05") => $$"""
        {
          "Ember": { "Models": { "@ember/tiny-llama": { "Folder": "tiny-llama/int8", "Variant": "Int8", "Generate": "tiny", "SequenceCap": 4, "PrefixCaching": false } } },
          "Batch": { "Concurrency": 2, "PollInterval": "00:00:00.020", "LeaseDuration": "{{lease}}"{{(postgres is null ? string.Empty : ", \"PostgresConnectionString\": " + System.Text.Json.JsonSerializer.Serialize(postgres))}} }
        }
        """;

    private readonly WebApplication _app;

    private BatchHost(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<BatchHost> StartAsync(string folder, string? postgres = null, string lease = "00:00:05")
    {
        Directory.CreateDirectory(folder);
        string config = Path.Combine(folder, "runtime.json");
        await File.WriteAllTextAsync(config, ConfigJson(postgres, lease));
        WebApplicationBuilder builder = EmberHost.CreateBuilder(
            ["--config", config, "--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default", "Warning", "--Auth:Tokens:0", HostFixture.Token, "--Auth:Tokens:1", OtherToken]);
        TestRuntime.Use(builder);
        WebApplication app = EmberHost.Build(builder);
        IReadOnlyList<string> addresses = await EmberHost.StartAsync(app, CancellationToken.None);
        return new BatchHost(app, new Uri(addresses[0] + "/"));
    }

    public HttpClient CreateClient(string token = HostFixture.Token)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
