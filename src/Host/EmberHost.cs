using Ember.Host.Auth;
using Ember.Host.Configuration;
using Ember.Host.Diagnostics;
using Ember.Host.Endpoints;
using Ember.Host.Errors;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Ember.Host;

/// <summary>
/// Builds, starts and runs the Ember HTTP host. <c>Program</c> and the integration tests both go through here,
/// so they serve the same pipeline.
/// </summary>
/// <remarks>
/// <para>Command line: <c>--config &lt;file&gt;</c> reads that file instead of <c>runtime.json</c>;
/// <c>--urls &lt;urls&gt;</c> sets the listen addresses (default <see cref="EmberHostOptions.DefaultUrl"/>).
/// Configuration order, later wins: appsettings, the runtime file, environment variables, the command line.</para>
/// </remarks>
public static class EmberHost
{
    /// <summary>The runtime configuration file read from the content root when <c>--config</c> is not given.</summary>
    public const string DefaultConfigFile = "runtime.json";

    /// <summary>The configuration key <c>--config</c> sets.</summary>
    public const string ConfigKey = "config";

    /// <summary>Creates a builder with the configuration file, the default listen address and the host's services.</summary>
    /// <param name="args">The command line.</param>
    /// <returns>The builder; tests may replace services before calling <see cref="Build"/>.</returns>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });

        string? configFile = builder.Configuration[ConfigKey];
        if (string.IsNullOrEmpty(configFile))
        {
            builder.Configuration.AddJsonFile(Path.Combine(builder.Environment.ContentRootPath, DefaultConfigFile), optional: true, reloadOnChange: false);
        }
        else
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
        }

        // The runtime file must not override the environment or the command line: add them again after it.
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine(args);

        if (!HasListenAddresses(builder.Configuration))
        {
            builder.WebHost.UseUrls(EmberHostOptions.DefaultUrl);
        }

        builder.Services.AddEmberHost(builder.Configuration);

        // The runtime's registration goes here once it is merged: builder.Services.AddEmberRuntime(builder.Configuration);
        return builder;
    }

    /// <summary>Builds the application and its pipeline: ray id, request log, error envelope, auth, endpoints.</summary>
    /// <param name="builder">The builder from <see cref="CreateBuilder"/>.</param>
    /// <returns>The application, not yet started.</returns>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        WebApplication app = builder.Build();
        app.UseMiddleware<RayIdMiddleware>();
        app.UseMiddleware<RequestLoggingMiddleware>();
        app.UseMiddleware<ApiErrorMiddleware>();
        app.UseMiddleware<BearerAuthMiddleware>();
        app.UseRouting();
        OpsEndpoints.Map(app);
        RunEndpoints.Map(app);
        OpenAiEndpoints.Map(app);
        ModelSearchEndpoints.Map(app);
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
        string? configFile = app.Configuration[ConfigKey];
        if (!string.IsNullOrEmpty(configFile))
        {
            string fullPath = Path.GetFullPath(configFile);
            HostLog.ConfigurationFile(logger, fullPath);
        }

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
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
    /// <returns>The process exit code: 0, or 1 when the host refused to start.</returns>
    public static async Task<int> RunAsync(string[] args)
    {
        await using WebApplication app = Build(CreateBuilder(args));
        try
        {
            await StartAsync(app, CancellationToken.None).ConfigureAwait(false);
        }
        catch (InvalidOperationException exception)
        {
            await Console.Error.WriteLineAsync(exception.Message).ConfigureAwait(false);
            return 1;
        }

        await app.WaitForShutdownAsync().ConfigureAwait(false);
        return 0;
    }

    private static bool HasListenAddresses(ConfigurationManager configuration) =>
        !string.IsNullOrEmpty(configuration[WebHostDefaults.ServerUrlsKey])
        || !string.IsNullOrEmpty(configuration[WebHostDefaults.HttpPortsKey])
        || !string.IsNullOrEmpty(configuration[WebHostDefaults.HttpsPortsKey])
        || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
}
