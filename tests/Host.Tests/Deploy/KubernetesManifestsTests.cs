using System.Diagnostics;
using Ember.Host.Tests.Infrastructure;

namespace Ember.Host.Tests.Deploy;

/// <summary><c>deploy/k8s</c>: both overlays build offline with <c>kubectl kustomize</c> into the objects the README names.</summary>
public sealed class KubernetesManifestsTests
{
    private static readonly string Root = Path.Combine(ReadmeHostFixture.RepositoryRoot, "deploy", "k8s");

    [Theory]
    [InlineData("cpu", "image: ember:cpu", "cpu: \"2\"")]
    [InlineData("cuda", "image: ember:cuda", "nvidia.com/gpu: 1")]
    public async Task Overlay_Builds_WithEveryObjectProbesAndItsResources(string overlay, string image, string resource)
    {
        string manifests = await KustomizeAsync(Path.Combine(Root, "overlays", overlay));

        foreach (string kind in new[] { "kind: ConfigMap", "kind: Deployment", "kind: Service", "kind: PersistentVolumeClaim", "kind: InferencePool" })
        {
            Assert.Contains(kind, manifests, StringComparison.Ordinal);
        }

        Assert.Contains(image, manifests, StringComparison.Ordinal);
        Assert.Contains(resource, manifests, StringComparison.Ordinal);
        Assert.Contains("path: /readyz", manifests, StringComparison.Ordinal);
        Assert.Contains("path: /healthz", manifests, StringComparison.Ordinal);
        Assert.Contains("name: ember-tokens", manifests, StringComparison.Ordinal);
        Assert.Contains("terminationGracePeriodSeconds: 330", manifests, StringComparison.Ordinal);
        Assert.Equal(overlay == "cuda", manifests.Contains("\"Provider\": \"Cuda\"", StringComparison.Ordinal));
    }

    /// <summary>The metric names the InferencePool's notes give the endpoint picker, for the metrics test to find in a scrape.</summary>
    public static readonly string[] PickerMetrics = ["ember_requests_queued", "ember_sequences_running", "ember_kv_cache_utilization"];

    [Fact]
    public void InferencePool_NamesEveryPickerMetric()
    {
        string pool = File.ReadAllText(Path.Combine(Root, "base", "inferencepool.yaml"));

        Assert.All(PickerMetrics, metric => Assert.Contains(metric, pool, StringComparison.Ordinal));
    }

    private static async Task<string> KustomizeAsync(string folder)
    {
        var start = new ProcessStartInfo("kubectl", ["kustomize", folder]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(process.ExitCode == 0, await error);
        return await output;
    }
}
