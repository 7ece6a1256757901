using System.Runtime.Versioning;
using Ember.Host.Auth;
using Ember.Host.Batch;
using Ember.Host.Configuration;
using Ember.Host.Diagnostics;
using Ember.Host.Endpoints;
using Ember.Host.Errors;
using Ember.Host.Finetunes;
using Ember.Host.Playground;
using Ember.Host.Routing;
using Ember.Host.Validation;
using Ember.Runtime.Generation;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting.WindowsServices;
using Microsoft.Extensions.Logging.EventLog;
using Microsoft.Extensions.Options;

namespace Ember.Host;

/// <summary>
/// Builds, starts and runs the Ember HTTP host. <c>Program</c> and the integration tests both go through here,
/// so they serve the same pipeline.
/// </summary>
/// <remarks>
/// <para>Command line: <c>--config &lt;file&gt;</c> reads that file instead of the <c>runtime.json</c> found in the
/// working directory or the nearest folder above it; <c>--urls &lt;urls&gt;</c> sets the listen addresses (default
/// <see cref="EmberHostOptions.DefaultUrl"/>). Configuration order, later wins: appsettings, the runtime file,
/// environment variables, the command line.</para>
/// <para>Program runs <see cref="CreateBuilder"/>, <see cref="AddRuntime"/>, <see cref="Build"/>, <see cref="StartAsync"/>;
/// tests may put another <c>IAiTextGeneration</c> in place of <see cref="AddRuntime"/>.</para>
/// </remarks>
public static class EmberHost
{
    /// <summary>The runtime configuration file read from the content root when <c>--config</c> is not given.</summary>
    public const string DefaultConfigFile = "runtime.json";

    /// <summary>
    /// The name Ember runs under as a Windows service, and its event-log source (<c>deploy/windows/install-service.ps1</c>
    /// creates both).
    /// </summary>
    public const string ServiceName = "Ember";

    /// <summary>The configuration key <c>--config</c> sets.</summary>
    public const string ConfigKey = "config";

    /// <summary>
    /// Creates a builder with the configuration file, the default listen address and the host's services; the
    /// runtime is added by <see cref="AddRuntime"/>.
    /// </summary>
    /// <param name="args">The command line.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="FileNotFoundException"><c>--config</c> names a file that does not exist.</exception>
    /// <exception cref="ConfigurationFileException">The file (given or found) cannot be read or is not valid JSON.</exception>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        // A Windows service starts in System32: its content root, where runtime.json is looked for, is the install folder.
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = WindowsServiceHelpers.IsWindowsService() ? AppContext.BaseDirectory : null,
        });

        // Both are no-ops unless the process runs under the Service Control Manager or systemd.
        builder.Host.UseWindowsService(service => service.ServiceName = ServiceName);
        builder.Host.UseSystemd();

        if (OperatingSystem.IsWindows())
        {
            UseServiceEventLogSource(builder.Services);
        }

        if (ResolveConfigFile(builder.Configuration[ConfigKey], builder.Environment.ContentRootPath) is string configFile)
        {
            // Read and parsed here first, so a file that cannot be used is refused in one line naming it rather than
            // with the provider's stack trace.
            ConfigurationFileCheck.ThrowIfUnusable(configFile);
            builder.Configuration.AddJsonFile(configFile, optional: false, reloadOnChange: false);
        }

        // The runtime file must not override the environment or the command line: add them again after it.
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine(args);

        if (!HasListenAddresses(builder.Configuration))
        {
            builder.WebHost.UseUrls(EmberHostOptions.DefaultUrl);
        }

        builder.Services.AddEmberHost(builder.Configuration);
        return builder;
    }

    /// <summary>
    /// Adds the runtime (options from the <c>Ember</c> section, the worker pool, <c>IAiTextGeneration</c>), the batch API
    /// and the finetunes API; model folders are relative to the configuration file's folder.
    /// </summary>
    /// <param name="builder">The builder from <see cref="CreateBuilder"/>.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="FileNotFoundException">No configuration file was given or found.</exception>
    public static WebApplicationBuilder AddRuntime(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        string configFile = ResolveConfigFile(builder.Configuration[ConfigKey], builder.Environment.ContentRootPath)
            ?? throw new FileNotFoundException($"No {DefaultConfigFile} in {builder.Environment.ContentRootPath} or above it; pass --config <file>.", DefaultConfigFile);
        builder.Services.AddEmberRuntime(builder.Configuration, Path.GetDirectoryName(configFile)!);
        builder.Services.AddEmberBatch(builder.Configuration, Path.GetDirectoryName(configFile)!);
        builder.Services.AddEmberFinetunes();
        return builder;
    }

    /// <summary>
    /// Finds the configuration file: the one given (relative to <paramref name="searchFrom"/>), or else
    /// <see cref="DefaultConfigFile"/> in <paramref name="searchFrom"/> or the nearest folder above it
    /// (<c>dotnet run --project src/Host</c> runs in <c>src/Host</c>).
    /// </summary>
    /// <param name="given">The <c>--config</c> value, if any.</param>
    /// <param name="searchFrom">The content root: the working directory, or a service's install folder.</param>
    /// <returns>The absolute path, or <see langword="null"/> when none was given and none was found.</returns>
    /// <exception cref="FileNotFoundException">The given file does not exist.</exception>
    public static string? ResolveConfigFile(string? given, string searchFrom)
    {
        ArgumentException.ThrowIfNullOrEmpty(searchFrom);
        if (!string.IsNullOrEmpty(given))
        {
            string path = Path.GetFullPath(given, Path.GetFullPath(searchFrom));
            return File.Exists(path) ? path : throw new FileNotFoundException($"The configuration file '{path}' (--config) does not exist.", path);
        }

        for (var directory = new DirectoryInfo(searchFrom); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, DefaultConfigFile);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Builds the application and its pipeline: ray id, request log, error envelope, auth, endpoints, the playground, <c>/metrics</c>.</summary>
    /// <param name="builder">The builder from <see cref="CreateBuilder"/>.</param>
    /// <returns>The application, not yet started.</returns>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        WebApplication app = builder.Build();
        app.UseMiddleware<RayIdMiddleware>();
        app.UseMiddleware<RequestLoggingMiddleware>();
        app.UseMiddleware<ApiErrorMiddleware>();
        app.UseMiddleware<QueryStringMiddleware>();
        app.UseMiddleware<BearerAuthMiddleware>();
        app.UseRouting();
        OpsEndpoints.Map(app);
        RunEndpoints.Map(app);
        OpenAiEndpoints.Map(app);
        ModelSearchEndpoints.Map(app);
        FinetuneEndpoints.Map(app);
        PlaygroundEndpoints.Map(app);
        app.MapPrometheusScrapingEndpoint(ApiRoutes.Metrics);
        return app;
    }

    /// <summary>
    /// Starts the application and checks where it listens: with no bearer tokens configured, every address must
    /// be loopback, or the host stops again and this throws.
    /// </summary>
    /// <param name="app">The application from <see cref="Build"/>.</param>
    /// <param name="cancellationToken">Abandons the start.</param>
    /// <returns>The addresses listened on.</returns>
    /// <exception cref="InvalidOperationException">No tokens are configured and an address is not loopback.</exception>
    public static async Task<IReadOnlyList<string>> StartAsync(WebApplication app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        ILogger logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EmberHost).FullName!);
        if (ResolveConfigFile(app.Configuration[ConfigKey], app.Environment.ContentRootPath) is string configFile)
        {
            HostLog.ConfigurationFile(logger, configFile);
        }

        // Before the models load and Kestrel starts its threads: fewer glibc arenas keep the RSS flat under load.
        GlibcMalloc.LimitArenas(app.Services.GetRequiredService<IOptions<EmberHostOptions>>().Value.MallocArenas);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        // The models are loaded and warm: what loading freed goes back to the system.
        GlibcMalloc.Trim();
        string[] addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToArray() ?? [];
        if (app.Services.GetRequiredService<BearerTokenSet>().IsEmpty)
        {
            string? open = addresses.FirstOrDefault(address => !ListenAddressGuard.IsLoopback(address));
            if (open is not null)
            {
                HostLog.NoTokensRefusing(logger, open);
                await app.StopAsync(cancellationToken).ConfigureAwait(false);
                throw new InvalidOperationException(
                    $"No bearer tokens are configured (Auth:Tokens) and {open} is not a loopback address. Configure tokens or listen on loopback only.");
            }

            HostLog.NoTokensLoopbackOnly(logger);
        }

        foreach (string address in addresses)
        {
            HostLog.Listening(logger, address);
        }

        return addresses;
    }

    /// <summary>Builds, starts and runs the host until shutdown.</summary>
    /// <param name="args">The command line.</param>
    /// <returns>The process exit code: 0, or 1 when the host could not start (its reason on standard error).</returns>
    public static async Task<int> RunAsync(string[] args)
    {
        WebApplication app;
        try
        {
            app = Build(AddRuntime(CreateBuilder(args)));
        }
        catch (Exception exception) when (exception is FileNotFoundException or ConfigurationFileException or OptionsValidationException)
        {
            // No configuration file, or one that cannot be read or parsed (one line naming it), or invalid options.
            await Console.Error.WriteLineAsync(exception.Message).ConfigureAwait(false);
            return 1;
        }

        await using WebApplication running = app;
        try
        {
            await StartAsync(app, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is InvalidOperationException or OptionsValidationException or AiTextGenerationException or BatchStoreException)
        {
            // Refused (no tokens on a public address), invalid options (every failure listed), or a model that could
            // not load (a provider that cannot start, a cache that does not fit): the message says which and why.
            await Console.Error.WriteLineAsync(exception.Message).ConfigureAwait(false);
            return 1;
        }

        await app.WaitForShutdownAsync().ConfigureAwait(false);
        return 0;
    }

    /// <summary>
    /// Makes the event log's source <see cref="ServiceName"/> instead of the assembly's name: under the Service Control
    /// Manager the host logs to the Application event log, and a service account may not create a source, so it uses
    /// the one <c>deploy/windows/install-service.ps1</c> registers. Without that source the logger disables itself.
    /// </summary>
    /// <param name="services">The host's services.</param>
    [SupportedOSPlatform("windows")]
    internal static void UseServiceEventLogSource(IServiceCollection services) =>
        services.Configure<EventLogSettings>(settings => settings.SourceName = ServiceName);

    private static bool HasListenAddresses(ConfigurationManager configuration) =>
        !string.IsNullOrEmpty(configuration[WebHostDefaults.ServerUrlsKey])
        || !string.IsNullOrEmpty(configuration[WebHostDefaults.HttpPortsKey])
        || !string.IsNullOrEmpty(configuration[WebHostDefaults.HttpsPortsKey])
        || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
}
