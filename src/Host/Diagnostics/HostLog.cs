namespace Ember.Host.Diagnostics;

/// <summary>
/// Every log message the host writes, source-generated, with its event id. Prompts and generated text are
/// logged only at <see cref="LogLevel.Trace"/>.
/// </summary>
/// <remarks>Event ids: 2000–2999, disjoint from the runtime's 1000–1099: 2000–2099 lifecycle, 2100–2199 requests, 2200–2299 generation, 2300–2399 the batch API, 2400–2499 fine-tunes.</remarks>
internal static partial class HostLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Ember listening on {Address}")]
    public static partial void Listening(ILogger logger, string address);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning,
        Message = "No bearer tokens are configured (Auth:Tokens): serving without authentication, on loopback addresses only")]
    public static partial void NoTokensLoopbackOnly(ILogger logger);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Critical,
        Message = "No bearer tokens are configured (Auth:Tokens) and {Address} is not a loopback address: refusing to start")]
    public static partial void NoTokensRefusing(ILogger logger, string address);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Configuration file {Path}")]
    public static partial void ConfigurationFile(ILogger logger, string path);

    [LoggerMessage(EventId = 2100, Level = LogLevel.Information,
        Message = "{Method} {Path} responded {StatusCode} in {ElapsedMilliseconds:0.0} ms")]
    public static partial void RequestFinished(ILogger logger, string method, string path, int statusCode, double elapsedMilliseconds);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "{Method} {Path}: no valid bearer token")]
    public static partial void Unauthenticated(ILogger logger, string method, string path);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Request refused with {StatusCode}/{Code}: {Message}")]
    public static partial void RequestRefused(ILogger logger, int statusCode, int code, string message);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Error, Message = "Unhandled failure while serving {Method} {Path}")]
    public static partial void Unhandled(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Debug, Message = "The client went away")]
    public static partial void ClientGone(ILogger logger);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Information, Message = "Kestrel refused a request with {KestrelStatus}; answered {StatusCode}/{Code} in the API's error shape")]
    public static partial void KestrelRefused(ILogger logger, int kestrelStatus, int statusCode, int code);

    [LoggerMessage(EventId = 2200, Level = LogLevel.Debug,
        Message = "Generation for {Model}: stream {Stream}, {PromptChars} prompt characters, {MessageCount} messages")]
    public static partial void GenerationRequested(ILogger logger, string model, bool stream, int promptChars, int messageCount);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Trace, Message = "Generation input for {Model}: {Input}")]
    public static partial void GenerationInput(ILogger logger, string model, string input);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Trace, Message = "Generation output for {Model}: {Output}")]
    public static partial void GenerationOutput(ILogger logger, string model, string output);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Warning, Message = "Generation for {Model} failed after streaming began: {Kind}")]
    public static partial void StreamFailed(ILogger logger, string model, string kind);

    [LoggerMessage(EventId = 2204, Level = LogLevel.Error, Message = "Runtime failure for {Model}")]
    public static partial void RuntimeFailure(ILogger logger, string model, Exception exception);

    [LoggerMessage(EventId = 2301, Level = LogLevel.Information, Message = "Batch job {RequestId} for {Model} submitted: {Items} items, {Refused} refused at submission")]
    public static partial void BatchSubmitted(ILogger logger, string requestId, string model, int items, int refused);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Information, Message = "Batch job {RequestId} finished")]
    public static partial void BatchFinished(ILogger logger, string requestId);

    [LoggerMessage(EventId = 2303, Level = LogLevel.Warning, Message = "Batch item {RequestId}#{Index} attempt {Attempt} failed: {Kind}")]
    public static partial void BatchItemFailed(ILogger logger, string requestId, int index, int attempt, string kind);

    [LoggerMessage(EventId = 2304, Level = LogLevel.Error,
        Message = "The batch store is failing; the batch worker backs off, from {FirstDelay} doubling up to {MaxDelay} between tries, jittered, and logs again when it answers")]
    public static partial void BatchStoreFailing(ILogger logger, TimeSpan firstDelay, TimeSpan maxDelay, Exception exception);

    [LoggerMessage(EventId = 2305, Level = LogLevel.Information, Message = "The batch store answers again, after {Failures} failed calls over {Outage}")]
    public static partial void BatchStoreRecovered(ILogger logger, long failures, TimeSpan outage);

    [LoggerMessage(EventId = 2306, Level = LogLevel.Warning, Message = "Batch item {RequestId}#{Index} attempt {Attempt}: its lease was lost to another node; this node stops running it")]
    public static partial void BatchLeaseLost(ILogger logger, string requestId, int index, int attempt);

    [LoggerMessage(EventId = 2400, Level = LogLevel.Information, Message = "Fine-tunes in {Folder}: {Served} served, {NotServed} kept but not served")]
    public static partial void FinetunesLoaded(ILogger logger, string folder, int served, int notServed);

    [LoggerMessage(EventId = 2401, Level = LogLevel.Warning, Message = "Fine-tune {Id} ('{Name}' of {Model}) was half uploaded ({Missing} missing): deleted at start-up")]
    public static partial void FinetuneHalfUploadedDeleted(ILogger logger, string id, string name, string model, string missing);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Warning, Message = "Fine-tune {Id} ('{Name}' of {Model}) is kept but not served: {Reason}")]
    public static partial void FinetuneNotServed(ILogger logger, string id, string name, string model, string reason);

    [LoggerMessage(EventId = 2403, Level = LogLevel.Information, Message = "Fine-tune {Id} ('{Name}' of {Model}) created")]
    public static partial void FinetuneCreated(ILogger logger, string id, string name, string model);

    [LoggerMessage(EventId = 2404, Level = LogLevel.Information, Message = "Fine-tune {Id} refused {FileName}: {Reason}")]
    public static partial void FinetuneFileRefused(ILogger logger, string id, string fileName, string reason);

    [LoggerMessage(EventId = 2405, Level = LogLevel.Information, Message = "Fine-tune {Id} ('{Name}' of {Model}) is served")]
    public static partial void FinetuneServed(ILogger logger, string id, string name, string model);
}
