using System.Net;
using Ember.Host.Diagnostics;
using Ember.Host.Errors;
using Ember.Host.Routing;

namespace Ember.Host.Auth;

/// <summary>
/// Requires <c>Authorization: Bearer &lt;token&gt;</c> with a configured token on every path but the probes and the playground's files;
/// anything else gets 401 with code 10000.
/// </summary>
/// <remarks>
/// With no tokens configured, a request is served only when it arrived on a loopback address: the host
/// refuses to start on other addresses in that case (<see cref="ListenAddressGuard"/>), and this check
/// closes the gap should one be bound anyway. Thread-safe.
/// </remarks>
public sealed class BearerAuthMiddleware
{
    private const string BearerPrefix = "Bearer ";

    private readonly RequestDelegate _next;
    private readonly BearerTokenSet _tokens;
    private readonly ILogger<BearerAuthMiddleware> _logger;

    /// <summary>Creates the middleware.</summary>
    /// <param name="next">The rest of the pipeline.</param>
    /// <param name="tokens">The accepted tokens.</param>
    /// <param name="logger">Logs refusals.</param>
    public BearerAuthMiddleware(RequestDelegate next, BearerTokenSet tokens, ILogger<BearerAuthMiddleware> logger)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(logger);
        _next = next;
        _tokens = tokens;
        _logger = logger;
    }

    /// <summary>Checks the request's credentials, then runs the rest of the pipeline or answers 401.</summary>
    /// <param name="context">The request.</param>
    /// <returns>A task that completes when the request is handled.</returns>
    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (ApiRoutes.IsPublic(context.Request.Path) || IsAllowed(context))
        {
            return _next(context);
        }

        if (_logger.IsEnabled(LogLevel.Information))
        {
            HostLog.Unauthenticated(_logger, context.Request.Method, context.Request.Path.Value ?? "/");
        }

        context.Response.Headers.WWWAuthenticate = "Bearer";
        return ApiErrorWriter.WriteAsync(context, ErrorMapping.Unauthorized());
    }

    private bool IsAllowed(HttpContext context)
    {
        if (_tokens.IsEmpty)
        {
            IPAddress? local = context.Connection.LocalIpAddress;
            return local is not null && IPAddress.IsLoopback(local);
        }

        string? header = context.Request.Headers.Authorization;
        if (header is null || !header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        ReadOnlySpan<char> token = header.AsSpan(BearerPrefix.Length).Trim();
        return !token.IsEmpty && _tokens.Contains(token);
    }
}
