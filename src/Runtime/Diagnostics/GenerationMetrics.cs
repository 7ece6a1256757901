using System.Diagnostics.Metrics;
using Ember.Models.Catalog;
using Ember.Runtime.Generation;

namespace Ember.Runtime.Diagnostics;

/// <summary>
/// The runtime's meter, <see cref="MeterName"/>: requests by outcome, prompt and generated tokens, and the
/// latencies OpenTelemetry's generative-AI conventions name for servers (request duration, time to first
/// token, time per output token), each tagged with the model. The worker pool adds each model's load and
/// sequence cap to the same meter.
/// </summary>
/// <remarks>
/// Thread-safe. The model tag is always a catalog id (a request for a model not in the catalog is tagged
/// <see cref="UnknownModel"/>), so a client cannot grow the number of series.
/// </remarks>
public sealed class GenerationMetrics
{
    /// <summary>The meter's name, to subscribe to (<c>dotnet-counters</c>, OpenTelemetry).</summary>
    public const string MeterName = "Ember.Runtime";

    /// <summary>The model tag (OpenTelemetry's <c>gen_ai.request.model</c>).</summary>
    public const string ModelTag = "gen_ai.request.model";

    /// <summary>The tag of a request's LoRA adapter on the <c>ember.lora.*</c> instruments.</summary>
    public const string AdapterTag = "ember.lora.adapter";

    /// <summary>The outcome tag: <c>stop</c>, <c>length</c>, <c>cancelled</c>, or the error kind in snake case.</summary>
    public const string OutcomeTag = "ember.outcome";

    /// <summary>The tag telling a prefix-cache hit (<c>true</c>) from a miss.</summary>
    public const string PrefixHitTag = "ember.prefix_cache.hit";

    /// <summary>The token type tag (OpenTelemetry's <c>gen_ai.token.type</c>): <c>input</c> or <c>output</c>.</summary>
    public const string TokenTypeTag = "gen_ai.token.type";

    /// <summary>The model tag of requests for a model that is not in the catalog.</summary>
    public const string UnknownModel = "unknown";

    /// <summary>The counter of generated tokens, added to as each is generated (<c>ember.tokens</c> counts them when a request ends).</summary>
    public const string GeneratedTokensInstrument = "ember.tokens.generated";

    /// <summary>The pool's gauge of requests waiting for a slot.</summary>
    public const string QueuedInstrument = "ember.requests.queued";

    /// <summary>The pool's gauge of sequences holding a slot.</summary>
    public const string RunningInstrument = "ember.sequences.running";

    private static readonly double[] DurationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
    private static readonly double[] FirstTokenBuckets = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0];
    private static readonly double[] OutputTokenBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5];

    private readonly TimeProvider _time;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _tokens;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _firstToken;
    private readonly Histogram<double> _perOutputToken;
    private readonly Histogram<double> _queueTime;
    private readonly Counter<long> _prefixLookups;
    private readonly Counter<long> _cachedTokens;
    private readonly Counter<long> _generated;
    private readonly Counter<long> _adapterRequests;
    private readonly Counter<long> _adapterTokens;

    /// <summary>Creates the meter and its instruments.</summary>
    /// <param name="meters">The host's meter factory.</param>
    /// <param name="time">The clock latencies are measured with.</param>
    public GenerationMetrics(IMeterFactory meters, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        var meter = meters.Create(MeterName);
        _requests = meter.CreateCounter<long>("ember.requests", "{request}", "Requests that ended, by model and outcome.");
        _tokens = meter.CreateCounter<long>("ember.tokens", "{token}", "Prompt (input) and generated (output) tokens of requests that ended.");
        _prefixLookups = meter.CreateCounter<long>("ember.prefix_cache.lookups", "{request}", "Requests admitted with prefix caching on, by whether a slot held a prefix of their prompt (ember.prefix_cache.hit).");
        _generated = meter.CreateCounter<long>(GeneratedTokensInstrument, "{token}", "Generated tokens, counted as each is generated: a live rate, where ember.tokens counts them when a request ends.");
        _cachedTokens = meter.CreateCounter<long>("ember.prefix_cache.cached_tokens", "{token}", "Prompt tokens not computed again: their cache entries were kept from an earlier sequence.");
        _adapterRequests = meter.CreateCounter<long>("ember.lora.requests", "{request}", "Requests that ran with a LoRA adapter and ended, by model, adapter (ember.lora.adapter) and outcome.");
        _adapterTokens = meter.CreateCounter<long>("ember.lora.tokens", "{token}", "Tokens generated with a LoRA adapter, by model and adapter, counted when a request ends.");
        _duration = meter.CreateHistogram("gen_ai.server.request.duration", "s", "From accepting a request to its end, queueing included.", advice: Buckets(DurationBuckets));
        _firstToken = meter.CreateHistogram("gen_ai.server.time_to_first_token", "s", "From accepting a request to its first generated token, queueing and prefill included.", advice: Buckets(FirstTokenBuckets));
        _queueTime = meter.CreateHistogram("ember.request.queue_time", "s", "From accepting a request to its sequence taking a slot (or a wave).", advice: Buckets(DurationBuckets));
        _perOutputToken = meter.CreateHistogram("gen_ai.server.time_per_output_token", "s", "Mean time between generated tokens after the first, per request.", advice: Buckets(OutputTokenBuckets));
    }

    /// <summary>The model tag for a requested id: itself when it is in the catalog, else <see cref="UnknownModel"/>.</summary>
    /// <param name="modelId">The id a client asked for.</param>
    /// <returns>The tag value.</returns>
    public static string ModelTagFor(string modelId) => ModelCatalog.TryGet(modelId, out _) ? modelId : UnknownModel;

    /// <summary>The outcome tag of an error kind: <c>bad_input</c>, <c>busy</c>, <c>timeout</c>, ….</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The tag value.</returns>
    public static string OutcomeOf(AiErrorKind kind) => kind switch
    {
        AiErrorKind.BadInput => "bad_input",
        AiErrorKind.ModelNotFound => "model_not_found",
        AiErrorKind.ModelNotInstalled => "model_not_installed",
        AiErrorKind.LimitExceeded => "limit_exceeded",
        AiErrorKind.Busy => "busy",
        AiErrorKind.Timeout => "timeout",
        AiErrorKind.Cancelled => "cancelled",
        _ => "runtime_failure",
    };

    /// <summary>The outcome tag of a finish reason: <c>stop</c>, <c>length</c> or <c>cancelled</c>.</summary>
    /// <param name="reason">The reason.</param>
    /// <returns>The tag value.</returns>
    public static string OutcomeOf(FinishReason reason) => reason switch
    {
        FinishReason.Stop => "stop",
        FinishReason.Length => "length",
        _ => "cancelled",
    };

    /// <summary>Records a request refused before it was queued (bad input, a limit, busy, …).</summary>
    /// <param name="modelId">The requested id.</param>
    /// <param name="kind">Why it was refused.</param>
    public void RecordRefused(string modelId, AiErrorKind kind) =>
        _requests.Add(1, new(ModelTag, ModelTagFor(modelId)), new(OutcomeTag, OutcomeOf(kind)));

    /// <summary>Starts measuring an accepted request.</summary>
    /// <param name="modelId">The served model's id.</param>
    /// <returns>The request's telemetry, handed to its <see cref="TextGeneration"/>.</returns>
    /// <param name="adapter">The request's LoRA adapter; null for none.</param>
    internal RequestTelemetry Begin(string modelId, string? adapter = null) => new(this, modelId, _time.GetTimestamp(), adapter);

    internal long Now() => _time.GetTimestamp();

    internal double Seconds(long from, long to) => _time.GetElapsedTime(from, to).TotalSeconds;

    internal void RecordQueueTime(string model, double seconds) => _queueTime.Record(seconds, new KeyValuePair<string, object?>(ModelTag, model));

    internal void RecordPrefixLookup(string model, int cachedTokens)
    {
        var modelTag = new KeyValuePair<string, object?>(ModelTag, model);
        _prefixLookups.Add(1, modelTag, new(PrefixHitTag, cachedTokens > 0 ? "true" : "false"));
        if (cachedTokens > 0)
        {
            _cachedTokens.Add(cachedTokens, modelTag);
        }
    }

    internal void RecordGenerated(string model) => _generated.Add(1, new KeyValuePair<string, object?>(ModelTag, model));

    internal void RecordFirstToken(string model, double seconds) => _firstToken.Record(seconds, new KeyValuePair<string, object?>(ModelTag, model));

    internal void RecordEnd(string model, string outcome, double seconds, int promptTokens, int completionTokens, double? secondsPerOutputToken)
    {
        var modelTag = new KeyValuePair<string, object?>(ModelTag, model);
        var outcomeTag = new KeyValuePair<string, object?>(OutcomeTag, outcome);
        _requests.Add(1, modelTag, outcomeTag);
        _duration.Record(seconds, modelTag, outcomeTag);
        _tokens.Add(promptTokens, modelTag, new(TokenTypeTag, "input"));
        _tokens.Add(completionTokens, modelTag, new(TokenTypeTag, "output"));
        if (secondsPerOutputToken is double perToken)
        {
            _perOutputToken.Record(perToken, modelTag);
        }
    }

    internal void RecordAdapterEnd(string model, string adapter, string outcome, int completionTokens)
    {
        var modelTag = new KeyValuePair<string, object?>(ModelTag, model);
        var adapterTag = new KeyValuePair<string, object?>(AdapterTag, adapter);
        _adapterRequests.Add(1, modelTag, adapterTag, new(OutcomeTag, outcome));
        _adapterTokens.Add(completionTokens, modelTag, adapterTag);
    }

    private static InstrumentAdvice<double> Buckets(double[] boundaries) => new() { HistogramBucketBoundaries = boundaries };
}
