using Ember.Host.Configuration;
using Ember.Host.Diagnostics;
using Microsoft.Extensions.Options;

namespace Ember.Host.Errors;

/// <summary>
/// The last line of error handling: turns a bare 404 or 405 from routing into the 7003/7001 envelope, a
/// Kestrel <see cref="BadHttpRequestException"/> into 413 (3006) or 400, and any other exception into a
/// generic 500 (3043) whose cause is only logged.
/// </summary>
/// <remarks>Thread-safe. Once a response has started (a stream), nothing more can be written, so failures then are only logged.</remarks>
public sealed class ApiErrorMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ILogger<ApiErrorMiddleware> _logger;
    private readonly long _maxBodyBytes;

    /// <summary>Creates the middleware.</summary>
    /// <param name="next">The rest of the pipeline.</param>
    /// <param name="logger">Logs unexpected failures.</param>
    /// <param name="options">Gives the body limit for the 413 message.</param>
    public ApiErrorMiddleware(RequestDelegate next, ILogger<ApiErrorMiddleware> logger, IOptions<EmberHostOptions> options)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(options);
        _next = next;
        _logger = logger;
        _maxBodyBytes = options.Value.MaxRequestBodyBytes;
    }

    /// <summary>Runs the rest of the pipeline and answers its failures.</summary>
    /// <param name="context">The request.</param>
    /// <returns>A task that completes when the request is handled.</returns>
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            await _next(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            HostLog.ClientGone(_logger);
            return;
        }
        catch (BadHttpRequestException exception) when (!context.Response.HasStarted)
        {
            ApiError error = exception.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? ErrorMapping.TooLarge(_maxBodyBytes)
                : ErrorMapping.InvalidInput("body", "could not be read");
            await WriteAsync(context, error).ConfigureAwait(false);
            return;
        }
#pragma warning disable CA1031 // The boundary of the service: every failure becomes the generic 500, its cause logged.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            HostLog.Unhandled(_logger, context.Request.Method, context.Request.Path.Value ?? "/", exception);
            if (!context.Response.HasStarted)
            {
                await WriteAsync(context, ErrorMapping.Internal()).ConfigureAwait(false);
            }

            return;
        }

        if (!context.Response.HasStarted && context.Response.ContentLength is null && string.IsNullOrEmpty(context.Response.ContentType))
        {
            if (context.Response.StatusCode == StatusCodes.Status404NotFound)
            {
                await WriteAsync(context, ErrorMapping.NoRoute()).ConfigureAwait(false);
            }
            else if (context.Response.StatusCode == StatusCodes.Status405MethodNotAllowed)
            {
                await WriteAsync(context, ErrorMapping.MethodNotAllowed()).ConfigureAwait(false);
            }
        }
    }

    private static Task WriteAsync(HttpContext context, ApiError error)
    {
        // Keep the headers already set (cf-ray, Allow); the writer sets the status and content type.
        return ApiErrorWriter.WriteAsync(context, error);
    }
}
