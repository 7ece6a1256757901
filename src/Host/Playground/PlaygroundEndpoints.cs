using Ember.Host.Errors;
using Ember.Host.Json;
using Ember.Host.Routing;
using Ember.Host.Wire;
using Microsoft.AspNetCore.Mvc;

namespace Ember.Host.Playground;

/// <summary>
/// The playground: <c>GET /</c> is the chat page and <c>GET /playground/{file}</c> its script, style sheet and icon,
/// all embedded in the host; <c>GET /stats</c> is the live view's JSON. The page's files need no token (they hold
/// none and call only the API, which does); <c>/stats</c> needs one, as <c>/metrics</c> does.
/// </summary>
/// <remarks>
/// Every file goes out with a Content-Security-Policy that allows only the host's own scripts, styles, images and
/// connections (no inline script or style, no frames, no form posts elsewhere), <c>nosniff</c>, no referrer, and a
/// strong ETag with <c>no-cache</c>, so a new host version is picked up at once and an unchanged file costs a 304.
/// </remarks>
public static class PlaygroundEndpoints
{
    /// <summary>The policy sent with every playground file.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>Maps the page, its files and the live view's JSON.</summary>
    /// <param name="endpoints">The route builder.</param>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet(ApiRoutes.Playground, (HttpContext context) => ServeAsync(context, PlaygroundAssets.IndexFile));
        endpoints.MapGet(ApiRoutes.PlaygroundFile, (HttpContext context, string file) => ServeAsync(context, file));
        endpoints.MapGet(ApiRoutes.Stats, (HttpContext context, [FromServices] ServerActivity activity) =>
            context.Response.WriteAsJsonAsync(activity.Report(), HostJson.Context.ActivityReport, contentType: null, context.RequestAborted));
    }

    private static Task ServeAsync(HttpContext context, string file)
    {
        if (!PlaygroundAssets.Embedded.TryGet(file, out PlaygroundAsset? asset))
        {
            return ApiErrorWriter.WriteAsync(context, ErrorMapping.NoRoute());
        }

        IHeaderDictionary headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        if (context.Request.Headers.IfNoneMatch.Contains(asset.ETag))
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        context.Response.ContentType = asset.ContentType;
        context.Response.ContentLength = asset.Content.Length;
        return context.Response.Body.WriteAsync(asset.Content, context.RequestAborted).AsTask();
    }
}
