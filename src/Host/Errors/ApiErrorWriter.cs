using Ember.Host.Json;
using Ember.Host.Routing;
using Ember.Host.Wire;
using Ember.Host.Wire.OpenAi;
using Microsoft.AspNetCore.Http;

namespace Ember.Host.Errors;

/// <summary>
/// Writes an <see cref="ApiError"/> as the response: the Cloudflare envelope, or OpenAI's error shape under
/// the OpenAI-compatible base path.
/// </summary>
/// <remarks>Stateless and thread-safe. Only call while the response has not started.</remarks>
public static class ApiErrorWriter
{
    /// <summary>Writes the error with its status, in the shape the request's path calls for.</summary>
    /// <param name="context">The request.</param>
    /// <param name="error">The error.</param>
    /// <returns>A task that completes when the body is written.</returns>
    public static Task WriteAsync(HttpContext context, ApiError error)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(error);
        context.Response.StatusCode = error.Status;
        if (ApiRoutes.IsOpenAi(context.Request.Path))
        {
            return context.Response.WriteAsJsonAsync(OpenAiShape(error), HostJson.Context.OpenAiErrorEnvelope, contentType: null, context.RequestAborted);
        }

        return context.Response.WriteAsJsonAsync(CloudflareShape(error), HostJson.Context.ErrorEnvelope, contentType: null, context.RequestAborted);
    }

    /// <summary>The error's body as UTF-8 JSON, in the shape a request to <paramref name="path"/> gets.</summary>
    /// <param name="error">The error.</param>
    /// <param name="path">The (decoded) request path: OpenAI's shape under the OpenAI-compatible base, else the envelope.</param>
    /// <returns>The bytes <see cref="WriteAsync"/> would write.</returns>
    public static byte[] ToUtf8Json(ApiError error, PathString path)
    {
        ArgumentNullException.ThrowIfNull(error);
        return ApiRoutes.IsOpenAi(path)
            ? System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(OpenAiShape(error), HostJson.Context.OpenAiErrorEnvelope)
            : System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(CloudflareShape(error), HostJson.Context.ErrorEnvelope);
    }

    private static OpenAiErrorEnvelope OpenAiShape(ApiError error) =>
        new(new OpenAiError(error.Message, ErrorMapping.OpenAiType(error.Status), error.Param, error.Code.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    private static ErrorEnvelope CloudflareShape(ApiError error) => new([new ApiErrorItem(error.Code, error.Message)]);
}
