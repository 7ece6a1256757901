using Ember.Runtime.Pool;

var configFile = ConfigFileArgument(args) is { } given ? Path.GetFullPath(given) : FindDefaultConfig();
var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddJsonFile(configFile, optional: false, reloadOnChange: false);
builder.Configuration.AddEnvironmentVariables();
builder.Configuration.AddCommandLine(args);
builder.Services.AddEmberRuntime(builder.Configuration, Path.GetDirectoryName(configFile)!);

var app = builder.Build();
app.MapGet("/healthz", () => Results.Text("ok"));
app.MapGet("/readyz", (IModelReadiness readiness) => readiness.IsReady ? Results.Text("ready") : Results.StatusCode(503));
await app.RunAsync().ConfigureAwait(false);

static string? ConfigFileArgument(string[] args)
{
    var index = Array.IndexOf(args, "--config");
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

// runtime.json in the working directory or the nearest folder above it (dotnet run --project src/Host runs in src/Host).
static string FindDefaultConfig()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
    {
        var candidate = Path.Combine(dir.FullName, "runtime.json");
        if (File.Exists(candidate))
        {
            return candidate;
        }
    }

    throw new FileNotFoundException("No runtime.json in the working directory or above it; pass --config <file>.");
}
