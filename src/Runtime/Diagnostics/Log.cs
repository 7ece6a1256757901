using Microsoft.Extensions.Logging;

namespace Ember.Runtime.Diagnostics;

/// <summary>The runtime's source-generated log messages; event ids 1000–1099.</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "Loading {ModelId} replica {Replica} from {Folder} on {Provider}.")]
    public static partial void LoadingModel(ILogger logger, string modelId, int replica, string folder, string provider);

    [LoggerMessage(1001, LogLevel.Information, "Writing Ember's own '{Preset}' model around {Tokenizer} into {Root} (missing or written by an older Ember).")]
    public static partial void WritingOwnModel(ILogger logger, string preset, string tokenizer, string root);

    [LoggerMessage(1010, LogLevel.Information, "{ModelId}: {Threads} intra-op threads a replica (0: ONNX Runtime's default), from {Reason}.")]
    public static partial void IntraOpThreads(ILogger logger, string modelId, int threads, string reason);

    [LoggerMessage(1009, LogLevel.Information, "Wrote {Folder} in {Seconds:0.0} s.")]
    public static partial void WroteOwnModel(ILogger logger, string folder, double seconds);

    [LoggerMessage(1002, LogLevel.Information, "All {Count} model replicas are loaded and serving.")]
    public static partial void Ready(ILogger logger, int count);

    [LoggerMessage(1003, LogLevel.Debug, "{Replica}: wave of {Size} sequences.")]
    public static partial void WaveStarted(ILogger logger, string replica, int size);

    [LoggerMessage(1004, LogLevel.Error, "{Replica}: a batch failed.")]
    public static partial void BatchFailed(ILogger logger, string replica, Exception error);

    [LoggerMessage(1005, LogLevel.Information, "Unloaded every model.")]
    public static partial void Unloaded(ILogger logger);

    [LoggerMessage(1007, LogLevel.Information, "{ModelId} replica {Replica}: continuous scheduler on {Provider}, {Slots} slots of {MaxLength} tokens, KV cache {CacheMiB} MiB of {CacheType} ({TokenBytes} bytes a token) in {CacheLocation}.")]
    public static partial void ContinuousLoaded(ILogger logger, string modelId, int replica, string provider, int slots, int maxLength, long cacheMiB, string cacheType, long tokenBytes, string cacheLocation);

    [LoggerMessage(1011, LogLevel.Information, "{ModelId} replica {Replica}: {Steps}, because {Reason}; slot retention {Retention}.")]
    public static partial void StepPath(ILogger logger, string modelId, int replica, string steps, string reason, string retention);

    [LoggerMessage(1008, LogLevel.Critical, "{Replica}: the scheduler failed and the replica is out of service.")]
    public static partial void SchedulerDied(ILogger logger, string replica, Exception error);

    [LoggerMessage(1006, LogLevel.Warning, "{ModelId}: the context limit {Configured} exceeds the model's own context length {ModelContext}; using {ModelContext}.")]
    public static partial void ContextClamped(ILogger logger, string modelId, int configured, int modelContext);
}
