using System.Text.Json;
using Ember.Host.Tests.Infrastructure;
using Ember.Tests.Shared;

namespace Ember.Host.Tests.Playground;

/// <summary>
/// Runs <c>Playground/browser/playground.mjs</c>: one scenario of the playground page in Debian's chromium, driven by
/// Playwright (<c>playwright-core</c>, pinned), and returns what the page showed. Screenshots go to
/// <see cref="ArtifactsFolder"/>.
/// </summary>
internal static class PlaygroundBrowser
{
    private static readonly NodePackage Package = NodePackage.FromAssemblyMetadata("PlaygroundBrowserFolder");

    /// <summary>Gets the folder the screenshots are saved in: <c>TestResults/playground</c> at the repository root.</summary>
    public static string ArtifactsFolder { get; } = Path.Combine(ReadmeHostFixture.RepositoryRoot, "TestResults", "playground");

    /// <summary>Runs a scenario and returns the JSON object the script printed.</summary>
    /// <param name="baseAddress">The host.</param>
    /// <param name="scenario"><c>chat</c>, <c>stop</c>, <c>escape</c> or <c>login</c>.</param>
    /// <param name="inputs">The scenario's other inputs, as the script's <c>EMBER_*</c> variables.</param>
    /// <returns>The printed object, cloned.</returns>
    public static async Task<JsonElement> RunAsync(Uri baseAddress, string scenario, IReadOnlyDictionary<string, string> inputs)
    {
        string chromium = await Chromium.EnsureInstalledAsync();
        var environment = new Dictionary<string, string>(inputs)
        {
            ["EMBER_BASE_URL"] = baseAddress.GetLeftPart(UriPartial.Authority) + "/",
            ["EMBER_SCENARIO"] = scenario,
            ["EMBER_CHROMIUM"] = chromium,
        };
        ProcessResult run = await Package.RunAsync("playground.mjs", environment: environment, timeout: TimeSpan.FromSeconds(90));
        Assert.True(run.ExitCode == 0, $"node playground.mjs ({scenario}) failed ({run.ExitCode}):\n{run.Stderr}\n{run.Stdout}");
        using JsonDocument document = JsonDocument.Parse(run.Stdout);
        return document.RootElement.Clone();
    }

    /// <summary>Gets the path a scenario's screenshot is saved at, creating <see cref="ArtifactsFolder"/> if it is missing.</summary>
    /// <param name="name">The file's name without extension.</param>
    /// <returns>The path of the PNG.</returns>
    public static string Screenshot(string name) => Path.Combine(Directory.CreateDirectory(ArtifactsFolder).FullName, name + ".png");

    /// <summary>Reads a PNG's width and height from its header, and checks its signature.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The size.</returns>
    public static (int Width, int Height) PngSize(string path)
    {
        byte[] header = File.ReadAllBytes(path).AsSpan(0, 24).ToArray();
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, header[..8]);
        return (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(16)), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(20)));
    }
}
