using System.Diagnostics;
using System.Text.Json;

namespace Ember.Runtime.Tests;

/// <summary>
/// The build flavour (<c>OrtGenAIFlavor</c>, see the root <c>Directory.Build.props</c>) picks exactly one
/// ONNX Runtime GenAI package, and in the Cuda flavour ONNX Runtime's CUDA build with the CPU build's native library
/// excluded. Each case evaluates <c>src/Runtime/Ember.Runtime.csproj</c> in a child
/// <c>dotnet msbuild</c> without restoring, so the Cuda and DirectML packages are never downloaded.
/// </summary>
public sealed class BuildFlavorTests
{
    private const string CpuPackage = "Microsoft.ML.OnnxRuntimeGenAI";
    private const string CudaPackage = "Microsoft.ML.OnnxRuntimeGenAI.Cuda";
    private const string DirectMLPackage = "Microsoft.ML.OnnxRuntimeGenAI.DirectML";

    /// <summary>Only a guard against a hung child; evaluation takes about a second.</summary>
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromSeconds(60);

    private static readonly string[] GenAIPackages = [CpuPackage, CudaPackage, DirectMLPackage];

    [Theory]
    [InlineData("Cpu", null, CpuPackage)]
    [InlineData("Cuda", null, CpuPackage)]
    [InlineData("Cuda", "true", CudaPackage)]
    [InlineData("DirectML", null, DirectMLPackage)]
    [InlineData(null, null, CpuPackage)]
    public async Task PackageReference_Flavor_ReferencesOnlyThatGenAIPackage(string? flavor, string? cudaPackage, string expected)
    {
        var result = await RunMSBuildAsync("-getItem:PackageReference", flavor, cudaPackage is null ? [] : [$"-p:OrtGenAICudaPackage={cudaPackage}"]);

        Assert.True(result.ExitCode == 0, $"dotnet msbuild exited with {result.ExitCode}:\n{result.Output}");
        using var json = JsonDocument.Parse(result.StandardOutput);
        var references = json.RootElement.GetProperty("Items").GetProperty("PackageReference").EnumerateArray()
            .Select(item => item.GetProperty("Identity").GetString())
            .ToList();
        Assert.Equal([expected], references.Where(id => GenAIPackages.Contains(id, StringComparer.Ordinal)));
    }

    [Theory]
    [InlineData("Cpu", false)]
    [InlineData("Cuda", true)]
    [InlineData("DirectML", false)]
    public async Task PackageReference_Flavor_OnnxRuntimeCudaBuildOnlyInCudaWithTheCpuNativeLibraryExcluded(string flavor, bool cuda)
    {
        var result = await RunMSBuildAsync("-getItem:PackageReference", flavor, []);

        Assert.True(result.ExitCode == 0, $"dotnet msbuild exited with {result.ExitCode}:\n{result.Output}");
        using var json = JsonDocument.Parse(result.StandardOutput);
        var references = json.RootElement.GetProperty("Items").GetProperty("PackageReference").EnumerateArray().ToList();
        var gpu = references.Where(item => item.GetProperty("Identity").GetString()!.StartsWith("Microsoft.ML.OnnxRuntime.Gpu", StringComparison.Ordinal)).ToList();
        var cpuRuntime = references.Where(item => item.GetProperty("Identity").GetString() == "Microsoft.ML.OnnxRuntime").ToList();
        Assert.Equal(cuda ? 1 : 0, gpu.Count);
        Assert.Equal(cuda ? 1 : 0, cpuRuntime.Count);
        if (cuda)
        {
            Assert.Equal("native", cpuRuntime[0].GetProperty("ExcludeAssets").GetString());
        }
    }

    [Fact]
    public async Task CollectPackageReferences_UnknownFlavor_FailsListingKnownFlavors()
    {
        var result = await RunMSBuildAsync("-t:CollectPackageReferences", "Rocm", []);

        Assert.NotEqual(0, result.ExitCode);
        var error = result.Output.Split('\n').FirstOrDefault(line => line.Contains("OrtGenAIFlavor 'Rocm'", StringComparison.Ordinal));
        Assert.True(error is not null, $"No error names the flavour:\n{result.Output}");
        Assert.Contains("Cpu", error, StringComparison.Ordinal);
        Assert.Contains("Cuda", error, StringComparison.Ordinal);
        Assert.Contains("DirectML", error, StringComparison.Ordinal);
    }

    private static async Task<MSBuildResult> RunMSBuildAsync(string request, string? flavor, string[] properties)
    {
        var project = Path.Combine(FindRepositoryRoot(), "src", "Runtime", "Ember.Runtime.csproj");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["msbuild", project, request, "-nologo", "-nodeReuse:false"])
        {
            start.ArgumentList.Add(argument);
        }

        if (flavor is not null)
        {
            start.ArgumentList.Add($"-p:OrtGenAIFlavor={flavor}");
        }

        foreach (var property in properties)
        {
            start.ArgumentList.Add(property);
        }

        // The test host may run inside an MSBuild-launched process; its MSBuild variables must not steer the child.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) && !k.Equals("MSBUILDDISABLENODEREUSE", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet msbuild did not start.");
        var standardOutput = process.StandardOutput.ReadToEndAsync();
        var standardError = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ChildTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet msbuild {request} did not finish within {ChildTimeout.TotalSeconds} s.");
        }

        return new MSBuildResult(process.ExitCode, await standardOutput, await standardError);
    }

    private static string FindRepositoryRoot()
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

    private sealed record MSBuildResult(int ExitCode, string StandardOutput, string StandardError)
    {
        public string Output => StandardOutput + StandardError;
    }
}
