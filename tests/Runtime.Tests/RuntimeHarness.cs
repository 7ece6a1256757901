using Ember.Runtime.Generation;
using Ember.Runtime.Pool;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Ember.Runtime.Tests;

/// <summary>A started generic host with the runtime configured from key/value pairs; stopped on dispose.</summary>
public sealed class RuntimeHarness : IAsyncDisposable
{
    private readonly IHost _host;

    private RuntimeHarness(IHost host) => _host = host;

    public IAiTextGeneration Generation => _host.Services.GetRequiredService<IAiTextGeneration>();

    public WorkerPool Pool => _host.Services.GetRequiredService<WorkerPool>();

    internal ServedModels Served => _host.Services.GetRequiredService<ServedModels>();

    public IServiceProvider Services => _host.Services;

    /// <summary>Everything the runtime logged since it started.</summary>
    public FakeLogCollector Logs => _host.Services.GetFakeLogCollector();

    /// <summary>Serves <c>@ember/tiny-llama</c> from the fixture's int8 folder unless <paramref name="settings"/> says otherwise; request timeouts run on <paramref name="time"/> when given.</summary>
    public static async Task<RuntimeHarness> StartAsync(IModelFixture models, IDictionary<string, string?>? settings = null, string variant = "int8", TimeProvider? time = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Ember:Models:@ember/tiny-llama:Folder"] = models.Folder(variant),
            ["Ember:Models:@ember/tiny-llama:Variant"] = variant,
            ["Ember:Models:@ember/tiny-llama:SequenceCap"] = "4",
            ["Ember:Models:@ember/tiny-llama:Limits:SequenceTokensLimit"] = "4000",
            ["Ember:Models:@ember/tiny-llama:Limits:ContextTokensLimit"] = "8000",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(values);
        builder.Logging.AddFakeLogging();
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        builder.Services.AddEmberRuntime(builder.Configuration, models.Root);
        var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new RuntimeHarness(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
