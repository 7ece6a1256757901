using System.Diagnostics.Metrics;
using System.Net;
using Ember.Host.Tests.Infrastructure;
using Ember.Runtime.Diagnostics;
using static Ember.Host.Tests.Infrastructure.PrometheusText;

namespace Ember.Host.Tests.Endpoints;

/// <summary><c>GET /metrics</c>: Prometheus text with Ember's runtime meter next to ASP.NET Core's, behind the bearer token.</summary>
/// <remarks>
/// The host is this class's alone and its tests run one at a time, each waiting for its requests to end, so the
/// difference between two scrapes is the test's own.
/// </remarks>
[Collection(MetricsHostCollectionDefinition.Name)]
public sealed class MetricsEndpointTests(MetricsHostFixture host)
{
    private const string Model = "gen_ai_request_model=\"" + MetricsHostFixture.ModelId + "\"";

    [Fact]
    public async Task Metrics_AfterARun_CountTheRequestItsTokensAndItsLatencies()
    {
        using HttpClient client = host.CreateClient();
        string before = await ScrapeAsync(client);

        using HttpResponseMessage run = await client.PostAsync(ApiAssert.RunPath(MetricsHostFixture.ModelId), ApiAssert.Json("""{"prompt":"Hi","max_tokens":3,"temperature":0}"""));
        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        int promptTokens = (await ApiAssert.SuccessAsync(run)).GetProperty("usage").GetProperty("prompt_tokens").GetInt32();
        string after = await ScrapeAsync(client);

        Assert.Equal(1, Delta("ember_requests_total", [Model, "ember_outcome=\"length\""]));
        Assert.Equal(3, Delta("ember_tokens_total", [Model, "gen_ai_token_type=\"output\""]));
        Assert.Equal(3, Delta("ember_tokens_generated_total", [Model]));
        Assert.Equal(promptTokens, Delta("ember_tokens_total", [Model, "gen_ai_token_type=\"input\""]));
        Assert.Equal(1, Delta("gen_ai_server_time_to_first_token_seconds_count", [Model]));
        Assert.Equal(1, Delta("gen_ai_server_time_per_output_token_seconds_count", [Model]));
        Assert.Equal(1, Delta("gen_ai_server_request_duration_seconds_count", [Model, "ember_outcome=\"length\""]));
        Assert.Equal(1, Delta("ember_request_queue_time_seconds_count", [Model]));
        Assert.Contains("\nember_requests_queued{", after, StringComparison.Ordinal);
        Assert.Equal(0, Value(after, "ember_requests_queued", [Model]));
        Assert.Equal(4, Value(after, "ember_sequences_cap", [Model]));
        // The scheduler frees the slot before it ends the request, so the answer never arrives before the load drops.
        Assert.Equal(0, Value(await ScrapeAsync(client), "ember_sequences_load", [Model]));
        Assert.Contains("\ndotnet_process_memory_working_set_bytes", after, StringComparison.Ordinal);

        double Delta(string name, string[] labels) => Value(after, name, labels) - Value(before, name, labels);
    }

    [Fact]
    public async Task Metrics_AfterAGreedyRunThatLoops_CountDraftedAndAcceptedTokens()
    {
        using HttpClient client = host.CreateClient();
        string before = await ScrapeAsync(client);

        // The random model's greedy answer to this raw prompt falls into loops, which n-gram drafts predict.
        using HttpResponseMessage run = await client.PostAsync(ApiAssert.RunPath(MetricsHostFixture.ModelId), ApiAssert.Json("""{"prompt":"Once upon a time","raw":true,"max_tokens":200,"temperature":0}"""));
        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        string after = await ScrapeAsync(client);

        double drafted = Value(after, "ember_speculation_drafted_tokens_total", [Model]) - Value(before, "ember_speculation_drafted_tokens_total", [Model]);
        double accepted = Value(after, "ember_speculation_accepted_tokens_total", [Model]) - Value(before, "ember_speculation_accepted_tokens_total", [Model]);
        Assert.InRange(accepted, 1, drafted);
        Assert.Equal(200, Value(after, "ember_tokens_generated_total", [Model]) - Value(before, "ember_tokens_generated_total", [Model]));
    }

    [Fact]
    public async Task Metrics_RefusedByTheRuntime_CountsTheOutcome()
    {
        using HttpClient client = host.CreateClient();
        string before = await ScrapeAsync(client);
        string prompt = string.Join(' ', Enumerable.Repeat("the", 1100));

        using HttpResponseMessage refused = await client.PostAsync(ApiAssert.RunPath(MetricsHostFixture.ModelId), ApiAssert.Json($$"""{"prompt":"{{prompt}}","max_tokens":1024}"""));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        string after = await ScrapeAsync(client);

        string[] labels = [Model, "ember_outcome=\"limit_exceeded\""];
        Assert.Equal(1, Value(after, "ember_requests_total", labels) - Value(before, "ember_requests_total", labels));
        Assert.Equal(0, Value(after, "gen_ai_server_request_duration_seconds_count", labels));
    }

    [Fact]
    public async Task Metrics_OpenAiStopString_NeverCountsAsCancelled()
    {
        using HttpClient client = host.CreateClient();
        const string probe = $$"""{"model":"{{MetricsHostFixture.ModelId}}","prompt":"Tell me about the sea","max_tokens":6,"temperature":0}""";
        using HttpResponseMessage first = await client.PostAsync(ApiAssert.OpenAiPath("completions"), ApiAssert.Json(probe));
        using var plain = System.Text.Json.JsonDocument.Parse(await first.Content.ReadAsStringAsync());
        string stop = plain.RootElement.GetProperty("choices")[0].GetProperty("text").GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2];
        string before = await ScrapeAsync(client);
        using var ended = new RequestEndListener();

        // A long budget, so the sequence is still running when the host finds the stop string and abandons it.
        using HttpResponseMessage stopped = await client.PostAsync(ApiAssert.OpenAiPath("completions"), ApiAssert.Json(probe.Replace("\"max_tokens\":6", "\"max_tokens\":1000", StringComparison.Ordinal)[..^1] + $$""","stop":"{{stop}}"}"""));
        Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);

        // The abandoned sequence ends on the scheduler's next step, a moment after the answer went out.
        string outcome = await ended.Outcome.WaitAsync(TimeSpan.FromSeconds(30));
        string after = await ScrapeAsync(client);

        // Abandoned at the stop string it counts as stop; had it already run to its end first, as length. Never cancelled.
        Assert.True(outcome is "stop" or "length", $"the request ended as {outcome}");
        Assert.Equal(1, Ended(after) - Ended(before));
        Assert.Equal(0, Value(after, "ember_requests_total", [Model, "ember_outcome=\"cancelled\""]) - Value(before, "ember_requests_total", [Model, "ember_outcome=\"cancelled\""]));

        static double Ended(string scrape) =>
            Value(scrape, "ember_requests_total", [Model, "ember_outcome=\"stop\""]) + Value(scrape, "ember_requests_total", [Model, "ember_outcome=\"length\""]);
    }

    /// <summary>The names come from the annotations of <c>deploy/k8s/base/inferencepool.yaml</c>, so a metric renamed there (or here) fails.</summary>
    [Fact]
    public async Task Metrics_TheInferencePoolsSignals_AreGaugesInARealScrape()
    {
        IReadOnlyDictionary<string, string> metrics = Deploy.KubernetesManifestsTests.ReadPickerMetrics();
        using HttpClient client = host.CreateClient();

        string scrape = await ScrapeAsync(client);

        Assert.NotEmpty(metrics);
        string[] lines = scrape.Split('\n');
        Assert.All(metrics.Values, metric =>
        {
            Assert.Contains($"# TYPE {metric} gauge", scrape, StringComparison.Ordinal);
            Assert.Contains(lines, line => line.StartsWith(metric + "{", StringComparison.Ordinal) && line.Contains(Model, StringComparison.Ordinal));
        });
        string utilization = Assert.Single(lines, line => line.StartsWith(metrics["KVCacheUtilization"] + "{", StringComparison.Ordinal) && line.Contains(Model, StringComparison.Ordinal));
        Assert.InRange(double.Parse(utilization.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), 0, 1);
    }

    [Fact]
    public async Task Metrics_WithoutToken_Returns401Code10000()
    {
        using HttpClient client = host.CreateClient(authenticated: false);

        using HttpResponseMessage response = await client.GetAsync("metrics");

        await ApiAssert.ErrorAsync(response, HttpStatusCode.Unauthorized, 10000);
    }

    /// <summary>
    /// Completes <see cref="Outcome"/> with the outcome tag of the first request of <see cref="MetricsHostFixture.ModelId"/>
    /// that ends after it was created: a listener on the runtime's <c>ember.requests</c> counter, which records each
    /// request once, at its end. OpenTelemetry's listener subscribed when the host started, so it is given the measurement
    /// first: once this one has it, a scrape counts it.
    /// </summary>
    private sealed class RequestEndListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly TaskCompletionSource<string> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public RequestEndListener()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == GenerationMetrics.MeterName && instrument.Name == "ember.requests")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
            {
                string? model = null;
                string? outcome = null;
                foreach (KeyValuePair<string, object?> tag in tags)
                {
                    if (tag.Key == GenerationMetrics.ModelTag)
                    {
                        model = tag.Value as string;
                    }
                    else if (tag.Key == GenerationMetrics.OutcomeTag)
                    {
                        outcome = tag.Value as string;
                    }
                }

                if (model == MetricsHostFixture.ModelId && outcome is not null)
                {
                    _outcome.TrySetResult(outcome);
                }
            });
            _listener.Start();
        }

        /// <summary>Gets the outcome tag of the first request to end.</summary>
        public Task<string> Outcome => _outcome.Task;

        public void Dispose() => _listener.Dispose();
    }
}
