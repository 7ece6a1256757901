using System.Security.Cryptography;

namespace Ember.Host.Diagnostics;

/// <summary>
/// Gives every request a Cloudflare-style ray id (<c>16 hex digits-EMB</c>): sent in the <c>cf-ray</c>
/// response header, used as <see cref="HttpContext.TraceIdentifier"/> and as the logging scope.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class RayIdMiddleware
{
    /// <summary>The response header.</summary>
    public const string HeaderName = "cf-ray";

    /// <summary>The suffix in place of Cloudflare's data-centre code.</summary>
    public const string Suffix = "-EMB";

    private readonly RequestDelegate _next;
    private readonly ILogger<RayIdMiddleware> _logger;

    /// <summary>Creates the middleware.</summary>
    /// <param name="next">The rest of the pipeline.</param>
    /// <param name="logger">Carries the ray id scope.</param>
    public RayIdMiddleware(RequestDelegate next, ILogger<RayIdMiddleware> logger)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(logger);
        _next = next;
        _logger = logger;
    }

    /// <summary>Sets the ray id, then runs the rest of the pipeline inside its logging scope.</summary>
    /// <param name="context">The request.</param>
    /// <returns>A task that completes when the request is handled.</returns>
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string ray = NewRayId();
        context.TraceIdentifier = ray;
        context.Response.Headers[HeaderName] = ray;
        using (_logger.BeginScope(new KeyValuePair<string, object>[] { new("RayId", ray) }))
        {
            await _next(context).ConfigureAwait(false);
        }
    }

    /// <summary>Makes a new ray id: 16 random lowercase hex digits and <see cref="Suffix"/>.</summary>
    /// <returns>The id.</returns>
    public static string NewRayId()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return Convert.ToHexStringLower(bytes) + Suffix;
    }
}
