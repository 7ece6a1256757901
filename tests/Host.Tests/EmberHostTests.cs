using System.Net;
using Ember.Host.Configuration;
using Ember.Host.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Ember.Host.Tests;

/// <summary>Starting the host: listen addresses, the no-token rule and <c>--config</c>.</summary>
public sealed class EmberHostTests : IDisposable
{
    private readonly List<string> _files = [];

    public void Dispose()
    {
        foreach (string file in _files)
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void CreateBuilder_NoUrls_ListensOnDefaultLoopbackPort()
    {
        WebApplicationBuilder builder = EmberHost.CreateBuilder(["--config", EmptyConfig()]);

        Assert.Equal("http://127.0.0.1:8787", builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey));
    }

    [Fact]
    public void CreateBuilder_Urls_AreKept()
    {
        WebApplicationBuilder builder = EmberHost.CreateBuilder(["--config", EmptyConfig(), "--urls", "http://127.0.0.1:9999"]);

        Assert.Equal("http://127.0.0.1:9999", builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey));
    }

    [Fact]
    public async Task StartAsync_NoTokensOnWildcardAddress_RefusesToStart()
    {
        WebApplicationBuilder builder = EmberHost.CreateBuilder(["--config", EmptyConfig(), "--urls", "http://0.0.0.0:0", "--Logging:LogLevel:Default", "None"]);
        TestRuntime.UseScripted(builder, new ScriptedTextGeneration(), new FakeModelPool());
        await using WebApplication app = EmberHost.Build(builder);

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => EmberHost.StartAsync(app, CancellationToken.None));

        Assert.Contains("Auth:Tokens", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ModelThatCannotLoad_ExitsWithOneInsteadOfCrashing()
    {
        string folder = Path.Combine(Path.GetTempPath(), "ember-broken-model-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "genai_config.json"), """{"model":{"context_length":2048}}""");
            string file = Path.Combine(Path.GetTempPath(), "ember-config-" + Guid.NewGuid().ToString("N") + ".json");
            _files.Add(file);
            await File.WriteAllTextAsync(file, "{\"Ember\":{\"Models\":{\"@ember/tiny-llama\":{\"Folder\":" + System.Text.Json.JsonSerializer.Serialize(folder) + ",\"Variant\":\"Int8\"}}}}");

            int exitCode = await EmberHost.RunAsync(["--config", file, "--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default", "None"]);

            Assert.Equal(1, exitCode);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task StartAsync_TokensOnWildcardAddress_Starts()
    {
        WebApplicationBuilder builder = EmberHost.CreateBuilder(["--config", EmptyConfig(), "--urls", "http://0.0.0.0:0", "--Auth:Tokens:0", "t", "--Logging:LogLevel:Default", "None"]);
        TestRuntime.UseScripted(builder, new ScriptedTextGeneration(), new FakeModelPool());
        await using WebApplication app = EmberHost.Build(builder);
        try
        {
            IReadOnlyList<string> addresses = await EmberHost.StartAsync(app, CancellationToken.None);

            Assert.Single(addresses);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task StartAsync_ConfigFile_IsRead()
    {
        string file = Path.Combine(Path.GetTempPath(), "ember-config-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(file, """{"Host":{"MaxRequestBodyBytes":2048},"Auth":{"Tokens":["from-file"]}}""");
        WebApplicationBuilder builder = EmberHost.CreateBuilder(["--config", file, "--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default", "None"]);
        TestRuntime.UseScripted(builder, new ScriptedTextGeneration(), new FakeModelPool());
        await using WebApplication app = EmberHost.Build(builder);
        try
        {
            IReadOnlyList<string> addresses = await EmberHost.StartAsync(app, CancellationToken.None);
            using var client = new HttpClient { BaseAddress = new Uri(addresses[0] + "/") };
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "from-file");

            using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath("@ember/tiny-llama"), ApiAssert.Json("{\"prompt\":\"" + new string('a', 3000) + "\"}"));

            await ApiAssert.ErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, 3006, "Request is too large: the body may be at most 2048 bytes", exact: true);
        }
        finally
        {
            await app.StopAsync();
            File.Delete(file);
        }
    }

    [Fact]
    public void CreateBuilder_MissingConfigFile_Throws()
    {
        string file = Path.Combine(Path.GetTempPath(), "ember-missing-" + Guid.NewGuid().ToString("N") + ".json");

        Assert.Throws<FileNotFoundException>(() => EmberHost.CreateBuilder(["--config", file]));
    }

    [Fact]
    public void ResolveConfigFile_NoneGiven_FindsNearestAboveTheContentRoot()
    {
        string root = Path.Combine(Path.GetTempPath(), "ember-root-" + Guid.NewGuid().ToString("N"));
        string nested = Path.Combine(root, "bin", "service");
        Directory.CreateDirectory(nested);
        string config = Path.Combine(root, EmberHost.DefaultConfigFile);
        File.WriteAllText(config, "{}");
        try
        {
            Assert.Equal(config, EmberHost.ResolveConfigFile(null, nested));
            Assert.Equal(config, EmberHost.ResolveConfigFile(string.Empty, root));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void ResolveConfigFile_Given_WinsOverTheContentRoot()
    {
        string given = EmptyConfig();

        Assert.Equal(given, EmberHost.ResolveConfigFile(given, Path.GetTempPath()));
    }

    [Fact]
    public void CreateBuilder_NotAService_ContentRootIsTheWorkingDirectory()
    {
        WebApplicationBuilder builder = EmberHost.CreateBuilder(["--config", EmptyConfig()]);

        Assert.Equal(Path.TrimEndingDirectorySeparator(Directory.GetCurrentDirectory()), Path.TrimEndingDirectorySeparator(builder.Environment.ContentRootPath));
    }

    [Theory]
    [InlineData(null, 300)]
    [InlineData("00:00:07", 7)]
    public void Build_ShutdownTimeout_SetsHowLongAStopWaits(string? configured, int seconds)
    {
        string[] args = ["--config", EmptyConfig(), "--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default", "None"];
        WebApplicationBuilder builder = EmberHost.CreateBuilder(configured is null ? args : [.. args, "--Host:ShutdownTimeout", configured]);
        TestRuntime.UseScripted(builder, new ScriptedTextGeneration(), new FakeModelPool());

        using WebApplication app = EmberHost.Build(builder);

        Assert.Equal(TimeSpan.FromSeconds(seconds), app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }

    [Fact]
    public void Build_BodyLimitOutOfRange_Throws()
    {
        WebApplicationBuilder builder = EmberHost.CreateBuilder(["--config", EmptyConfig(), "--urls", "http://127.0.0.1:0", "--Host:MaxRequestBodyBytes", "10", "--Logging:LogLevel:Default", "None"]);
        TestRuntime.UseScripted(builder, new ScriptedTextGeneration(), new FakeModelPool());

        var exception = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => EmberHost.Build(builder));

        Assert.Contains(nameof(EmberHostOptions.MaxRequestBodyBytes), exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("257")]
    public void Build_MallocArenasOutOfRange_Throws(string arenas)
    {
        WebApplicationBuilder builder = EmberHost.CreateBuilder(["--config", EmptyConfig(), "--urls", "http://127.0.0.1:0", "--Host:MallocArenas", arenas, "--Logging:LogLevel:Default", "None"]);
        TestRuntime.UseScripted(builder, new ScriptedTextGeneration(), new FakeModelPool());

        var exception = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => EmberHost.Build(builder));

        Assert.Contains("The field EmberHostOptions.MallocArenas must be between 0 and 256.", exception.Message, StringComparison.Ordinal);
    }

    private string EmptyConfig()
    {
        string file = Path.Combine(Path.GetTempPath(), "ember-empty-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(file, "{}");
        _files.Add(file);
        return file;
    }
}
