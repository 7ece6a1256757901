using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ember.Models.Catalog;

namespace Ember.Benchmark;

/// <summary>
/// The real Ember host as a child process on loopback, driven by concurrent SSE streams over
/// <c>POST /client/v4/accounts/{account}/ai/run/{model}</c>. Owns the process and kills it on dispose.
/// </summary>
internal sealed class HttpHostTarget : IStreamingTarget
{
    private const string ReadyPath = "/readyz";
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromMinutes(2);
    private static readonly string[] Configurations = ["Release", "Debug"];

    private readonly Process _process;
    private readonly HttpClient _client;
    private readonly string _configFolder;
    private readonly Uri _runUri;

    private HttpHostTarget(Process process, HttpClient client, string configFolder)
    {
        _process = process;
        _client = client;
        _configFolder = configFolder;
        _runUri = new Uri($"/client/v4/accounts/bench/ai/run/{ModelCatalog.TinyLlamaId}", UriKind.Relative);
    }

    public string Mode { get; set; } = "http";

    /// <summary>Seconds from starting the host process to its first ready answer: start-up, model load and warm-up.</summary>
    public double ReadySeconds { get; private set; }

    /// <summary>Submits a batch job of <paramref name="items"/> requests (the benchmark's prompts, greedy) to the host.</summary>
    public async Task SubmitBatchAsync(int items, int maxTokens, CancellationToken cancellationToken)
    {
        var requests = new JsonArray([.. Enumerable.Range(0, items).Select(i => (JsonNode)new JsonObject { ["prompt"] = BenchmarkPrompts.For(i), ["max_tokens"] = maxTokens, ["temperature"] = 0 })]);
        using var content = new StringContent(new JsonObject { ["requests"] = requests }.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await _client.PostAsync(new Uri(_runUri + "?queueRequest=true", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Batch items the host has run so far (its <c>ember_batch_item_duration_seconds_count</c>).</summary>
    public Task<double> BatchItemsRunAsync(CancellationToken cancellationToken) => MetricAsync("ember_batch_item_duration_seconds_count", cancellationToken);

    /// <summary>The sum of the host's <c>/metrics</c> series named <paramref name="name"/>, over their labels.</summary>
    public async Task<double> MetricAsync(string name, CancellationToken cancellationToken)
    {
        var text = await _client.GetStringAsync(new Uri("/metrics", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        return text.Split('\n')
            .Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal))
            .Sum(line => double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1], CultureInfo.InvariantCulture));
    }

    /// <summary>The built host assembly: <paramref name="given"/>, else Release then Debug output under the repository root.</summary>
    public static string? FindHostDll(string? given)
    {
        if (given is not null)
        {
            return File.Exists(given) ? Path.GetFullPath(given) : null;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ember.slnx")))
            {
                return Configurations
                    .Select(c => Path.Combine(dir.FullName, "src", "Host", "bin", c, "net10.0", "Ember.Host.dll"))
                    .FirstOrDefault(File.Exists);
            }
        }

        return null;
    }

    public static async Task<HttpHostTarget> StartAsync(string hostDll, string modelsRoot, string variant, int sequenceCap, int queueBound, int prefillChunk, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? settings = null)
    {
        var configFolder = Path.Combine(Path.GetTempPath(), "ember-bench-host-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(configFolder);
        var config = new JsonObject
        {
            ["Logging"] = new JsonObject { ["LogLevel"] = new JsonObject { ["Default"] = "Warning" } },
            ["Ember"] = new JsonObject
            {
                ["Models"] = new JsonObject
                {
                    [ModelCatalog.TinyLlamaId] = new JsonObject
                    {
                        ["Folder"] = Path.Combine(modelsRoot, variant),
                        ["Variant"] = variant,
                        ["SequenceCap"] = sequenceCap,
                        ["PrefillChunkTokens"] = prefillChunk,
                        ["QueueBound"] = queueBound,
                        ["RequestTimeout"] = "00:10:00",
                    },
                },
            },
        };
        var model = config["Ember"]!["Models"]![ModelCatalog.TinyLlamaId]!.AsObject();
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            model[key] = value;
        }

        var configFile = Path.Combine(configFolder, "runtime.json");
        await File.WriteAllTextAsync(configFile, config.ToJsonString(), cancellationToken).ConfigureAwait(false);

        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { hostDll, "--config", configFile, "--urls", $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}" })
        {
            start.ArgumentList.Add(argument);
        }

        var started = Stopwatch.StartNew();
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var errors = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (errors) { errors.AppendLine(e.Data); } };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"),
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var target = new HttpHostTarget(process, client, configFolder);
        try
        {
            await target.WaitReadyAsync(errors, cancellationToken).ConfigureAwait(false);
            target.ReadySeconds = started.Elapsed.TotalSeconds;
            return target;
        }
        catch
        {
            await target.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task StreamAsync(string prompt, int maxTokens, Func<double> clockMs, RequestSample sample, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["prompt"] = prompt, ["stream"] = true, ["max_tokens"] = maxTokens, ["temperature"] = 0 };
        using var request = new HttpRequestMessage(HttpMethod.Post, _runUri)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new HttpRequestException($"{(int)response.StatusCode}: {text[..Math.Min(text.Length, 200)]}", null, response.StatusCode);
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (!line.StartsWith("data:", StringComparison.Ordinal))
            {
                continue;
            }

            var data = line[5..].Trim();
            if (data == "[DONE]")
            {
                return;
            }

            using var json = JsonDocument.Parse(data);
            if (json.RootElement.TryGetProperty("response", out var piece) && piece.GetString() is { Length: > 0 })
            {
                sample.RecordToken(clockMs());
            }
        }

        throw new IOException("The stream ended without data: [DONE].");
    }

    /// <summary>Streams one Workers AI <c>messages</c> request (greedy) and returns its text and usage.</summary>
    /// <param name="messages">The conversation so far, ending with a user message.</param>
    /// <param name="maxTokens">Tokens to generate.</param>
    /// <param name="affinity">The <c>x-session-affinity</c> key, or <see langword="null"/>.</param>
    /// <param name="clockMs">Milliseconds since the request was sent.</param>
    /// <param name="sample">Records each token's time.</param>
    /// <param name="cancellationToken">Abandons the request.</param>
    public async Task<(string Text, int PromptTokens, int CachedTokens)> ChatAsync(JsonArray messages, int maxTokens, string? affinity, Func<double> clockMs, RequestSample sample, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var body = new JsonObject { ["messages"] = messages.DeepClone(), ["stream"] = true, ["max_tokens"] = maxTokens, ["temperature"] = 0 };
        using var request = new HttpRequestMessage(HttpMethod.Post, _runUri)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (affinity is not null)
        {
            request.Headers.Add("x-session-affinity", affinity);
        }

        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var error = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new HttpRequestException($"{(int)response.StatusCode}: {error[..Math.Min(error.Length, 200)]}", null, response.StatusCode);
        }

        var text = new StringBuilder();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
        var (prompt, cached) = (0, 0);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (!line.StartsWith("data:", StringComparison.Ordinal))
            {
                continue;
            }

            var data = line[5..].Trim();
            if (data == "[DONE]")
            {
                return (text.ToString(), prompt, cached);
            }

            using var json = JsonDocument.Parse(data);
            if (json.RootElement.TryGetProperty("usage", out var usage))
            {
                prompt = usage.GetProperty("prompt_tokens").GetInt32();
                cached = usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32();
            }
            else if (json.RootElement.TryGetProperty("response", out var piece) && piece.GetString() is { Length: > 0 } value)
            {
                sample.RecordToken(clockMs());
                text.Append(value);
            }
        }

        throw new IOException("The stream ended without data: [DONE].");
    }

    public long? PeakRssBytes() => _process.HasExited ? null : MemoryProbe.PeakRssBytes(_process.Id);

    /// <summary>Current resident set of the host process.</summary>
    public long? RssBytes() => _process.HasExited ? null : MemoryProbe.RssBytes(_process.Id);

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
        Directory.Delete(_configFolder, recursive: true);
    }

    private async Task WaitReadyAsync(StringBuilder errors, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartupTimeout)
        {
            if (_process.HasExited)
            {
                string log;
                lock (errors)
                {
                    log = errors.ToString();
                }

                throw new InvalidOperationException($"The host exited with code {_process.ExitCode.ToString(CultureInfo.InvariantCulture)}: {log}");
            }

            try
            {
                using var ready = await _client.GetAsync(new Uri(ReadyPath, UriKind.Relative), cancellationToken).ConfigureAwait(false);
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                // 503 is "still loading"; anything else will not get better by waiting.
                if (ready.StatusCode != HttpStatusCode.ServiceUnavailable)
                {
                    var body = await ready.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                    throw new InvalidOperationException($"{ReadyPath} answered {(int)ready.StatusCode}: {body[..Math.Min(body.Length, 200)]}");
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException($"The host was not ready within {StartupTimeout}.");
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
