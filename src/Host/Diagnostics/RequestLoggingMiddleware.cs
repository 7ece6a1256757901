namespace Ember.Host.Diagnostics;

/// <summary>
/// Logs one line per request (method, path, status, time) at Information. Bodies are never logged here;
/// prompts appear only in the Trace-level generation log.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class RequestLoggingMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ILogger<RequestLoggingMiddleware> _logger;
    private readonly TimeProvider _time;

    /// <summary>Creates the middleware.</summary>
    /// <param name="next">The rest of the pipeline.</param>
    /// <param name="logger">Where the lines go.</param>
    /// <param name="time">Times the requests.</param>
    public RequestLoggingMiddleware(RequestDelegate next, ILogger<RequestLoggingMiddleware> logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(time);
        _next = next;
        _logger = logger;
        _time = time;
    }

    /// <summary>Runs the rest of the pipeline, then logs the outcome.</summary>
    /// <param name="context">The request.</param>
    /// <returns>A task that completes when the request is handled.</returns>
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        long started = _time.GetTimestamp();
        try
        {
            await _next(context).ConfigureAwait(false);
        }
        finally
        {
            if (_logger.IsEnabled(LogLevel.Information))
            {
                double elapsed = _time.GetElapsedTime(started).TotalMilliseconds;
                string path = context.Request.Path.Value ?? "/";
                HostLog.RequestFinished(_logger, context.Request.Method, path, context.Response.StatusCode, elapsed);
            }
        }
    }
}
