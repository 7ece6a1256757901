using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;

namespace Ember.Host.Tests.Infrastructure;

/// <summary>
/// The host as the README's examples run it (<c>dotnet run --project src/Host</c>): the repository's own
/// <c>runtime.json</c> (its models written into the fixture's folder), the real runtime, no tokens, on loopback.
/// </summary>
public sealed class ReadmeHostFixture : HostFixture
{
    /// <summary>Gets the repository's root (the folder holding <c>Ember.slnx</c>).</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <inheritdoc />
    protected override string ConfigJson
    {
        get
        {
            JsonNode config = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryRoot, "runtime.json")))!;
            config.AsObject().Remove("Urls");
            return config.ToJsonString();
        }
    }

    /// <inheritdoc />
    protected override IEnumerable<string> Arguments() => [];

    /// <inheritdoc />
    protected override void Configure(WebApplicationBuilder builder) => TestRuntime.Use(builder);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Ember.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds Ember.slnx.");
    }
}
