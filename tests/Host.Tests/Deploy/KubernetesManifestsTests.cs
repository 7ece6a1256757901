using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ember.Host.Tests.Infrastructure;
using Ember.Tests.Shared;

namespace Ember.Host.Tests.Deploy;

/// <summary>
/// <c>deploy/k8s</c>: both overlays build offline with <c>kubectl kustomize</c> into the objects docs/deployment.md names, and
/// every object passes <c>Deploy/manifests/validate.mjs</c> (kubernetes-models' schemas, and the InferencePool CRD's).
/// </summary>
public sealed partial class KubernetesManifestsTests
{
    private static readonly string Root = Path.Combine(ReadmeHostFixture.RepositoryRoot, "deploy", "k8s");
    private static readonly NodePackage Validator = NodePackage.FromAssemblyMetadata("ManifestValidatorFolder");

    /// <summary>What each overlay builds, by apiVersion/kind, as <c>validate.mjs</c> counts them.</summary>
    private static readonly Dictionary<string, int> OverlayObjects = new()
    {
        ["v1/ConfigMap"] = 1,
        ["v1/Service"] = 1,
        ["v1/PersistentVolumeClaim"] = 1,
        ["apps/v1/Deployment"] = 1,
        ["inference.networking.k8s.io/v1/InferencePool"] = 1,
    };

    /// <summary>The endpoint picker's flags for the model-server protocol's signals, whose metric names inferencepool.yaml's annotations give.</summary>
    private static readonly Dictionary<string, string> PickerFlags = new(StringComparer.Ordinal)
    {
        ["total-queued-requests-metric"] = "TotalQueuedRequests",
        ["total-running-requests-metric"] = "TotalRunningRequests",
        ["kv-cache-usage-percentage-metric"] = "KVCacheUtilization",
    };

    [Theory]
    [InlineData("cpu", "image: ember:cpu", "cpu: \"2\"")]
    [InlineData("cuda", "image: ember:cuda", "nvidia.com/gpu: 1")]
    public async Task Overlay_Builds_WithEveryObjectProbesAndItsResources(string overlay, string image, string resource)
    {
        string manifests = await KustomizeAsync(overlay);

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
        Assert.Contains("strategy:\n    type: Recreate\n", manifests, StringComparison.Ordinal);
        Assert.Contains("accessModes:\n  - ReadWriteOnce\n", manifests, StringComparison.Ordinal);
        Assert.Equal(overlay == "cuda", manifests.Contains("\"Provider\": \"Cuda\"", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("cuda")]
    public async Task Overlay_Validate_EveryObjectPassesItsSchema(string overlay)
    {
        string manifests = await KustomizeAsync(overlay);

        (ProcessResult run, JsonElement summary) = await ValidateAsync(manifests);

        Assert.True(run.ExitCode == 0, $"validate.mjs failed ({run.ExitCode}):\n{run.Stdout}\n{run.Stderr}");
        Assert.Empty(summary.GetProperty("errors").EnumerateArray());
        Assert.Equal(OverlayObjects.Values.Sum(), summary.GetProperty("objects").GetInt32());
        Assert.Equal(OverlayObjects, Kinds(summary));
    }

    /// <summary>The cpu overlay with one edit fails on exactly that object, naming the field; the other four still pass.</summary>
    [Theory]
    [InlineData("replicas: 1\n", "replicas: \"1\"\n", "apps/v1/Deployment ember", "/spec/replicas", "must be integer")]
    [InlineData("  targetPorts:\n  - number: 8787\n", "", "inference.networking.k8s.io/v1/InferencePool ember", "/spec/targetPorts", "is required")]
    [InlineData("  - number: 8787\n", "  - number: \"8787\"\n", "inference.networking.k8s.io/v1/InferencePool ember", "/spec/targetPorts/0/number", "must be integer")]
    [InlineData("    port:\n      number: 9002\n", "", "inference.networking.k8s.io/v1/InferencePool ember", "/spec/endpointPickerRef/port", "port is required when kind is 'Service'")]
    [InlineData("  targetPorts:\n", "  targetPort:\n", "inference.networking.k8s.io/v1/InferencePool ember", "/spec/targetPort", "is not a field of this kind")]
    [InlineData("kind: InferencePool\n", "kind: InferencePools\n", "inference.networking.k8s.io/v1/InferencePools ember", "/", "no schema for inference.networking.k8s.io/v1/InferencePools")]
    public async Task Validate_BrokenObject_FailsNamingTheField(string find, string replacement, string brokenObject, string path, string message)
    {
        string manifests = await KustomizeAsync("cpu");
        Assert.Equal(1, Regex.Count(manifests, Regex.Escape(find)));

        (ProcessResult run, JsonElement summary) = await ValidateAsync(manifests.Replace(find, replacement, StringComparison.Ordinal));

        Assert.Equal(1, run.ExitCode);
        JsonElement[] errors = [.. summary.GetProperty("errors").EnumerateArray()];
        Assert.Contains(errors, error =>
            error.GetProperty("object").GetString() == brokenObject
            && error.GetProperty("path").GetString() == path
            && error.GetProperty("message").GetString()!.Contains(message, StringComparison.Ordinal));
        Assert.All(errors, error => Assert.Equal(brokenObject, error.GetProperty("object").GetString()));
        Assert.Equal(OverlayObjects.Values.Sum() - 1, Kinds(summary).Values.Sum());
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("cuda")]
    public async Task InferencePool_Built_AnnotatesAMetricForEveryPickerFlag(string overlay)
    {
        string manifests = await KustomizeAsync(overlay);

        Dictionary<string, string> annotated = PickerAnnotation().Matches(manifests).ToDictionary(match => match.Groups["flag"].Value, match => match.Groups["metric"].Value, StringComparer.Ordinal);

        Assert.Equal(PickerFlags.Keys.Order(StringComparer.Ordinal), annotated.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(ReadPickerMetrics().Values.Order(StringComparer.Ordinal), annotated.Values.Order(StringComparer.Ordinal));
        Assert.All(annotated.Values, metric => Assert.StartsWith("ember_", metric, StringComparison.Ordinal));
    }

    [Fact]
    public void InferencePool_CommentsNameNoMetric()
    {
        string[] comments = [.. File.ReadAllLines(Path.Combine(Root, "base", "inferencepool.yaml")).Where(line => line.TrimStart().StartsWith('#'))];

        Assert.NotEmpty(comments);
        Assert.All(comments, comment => Assert.DoesNotContain("ember_", comment, StringComparison.Ordinal));
    }

    /// <summary>
    /// The metric names <c>deploy/k8s/base/inferencepool.yaml</c> gives the endpoint picker, by the model-server
    /// protocol's signal, read from the InferencePool's annotations (<c>endpoint-picker.ember/&lt;flag&gt;: &lt;metric&gt;</c>),
    /// for the metrics test to find in a real scrape.
    /// </summary>
    /// <returns>Metric name by signal.</returns>
    public static IReadOnlyDictionary<string, string> ReadPickerMetrics()
    {
        string pool = File.ReadAllText(Path.Combine(Root, "base", "inferencepool.yaml"));
        return PickerAnnotation().Matches(pool).ToDictionary(match => PickerFlags[match.Groups["flag"].Value], match => match.Groups["metric"].Value, StringComparer.Ordinal);
    }

    private static Dictionary<string, int> Kinds(JsonElement summary) =>
        summary.GetProperty("kinds").EnumerateObject().ToDictionary(kind => kind.Name, kind => kind.Value.GetInt32());

    private static async Task<(ProcessResult Run, JsonElement Summary)> ValidateAsync(string manifests)
    {
        ProcessResult run = await Validator.RunAsync("validate.mjs", standardInput: manifests);
        Assert.True(run.ExitCode is 0 or 1, $"validate.mjs could not run ({run.ExitCode}):\n{run.Stderr}\n{run.Stdout}");
        using JsonDocument summary = JsonDocument.Parse(run.Stdout);
        return (run, summary.RootElement.Clone());
    }

    private static async Task<string> KustomizeAsync(string overlay)
    {
        var start = new ProcessStartInfo("kubectl", ["kustomize", Path.Combine(Root, "overlays", overlay)]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(process.ExitCode == 0, await error);
        return await output;
    }

    [GeneratedRegex(@"^ +endpoint-picker\.ember/(?<flag>[a-z-]+-metric): (?<metric>[a-zA-Z_:][a-zA-Z0-9_:]*)$", RegexOptions.Multiline)]
    private static partial Regex PickerAnnotation();
}
