using Ember.Host.Endpoints;
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
            var body = new OpenAiErrorEnvelope(new OpenAiError(error.Message, ErrorMapping.OpenAiType(error.Status), error.Param, error.Code.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            return context.Response.WriteAsJsonAsync(body, HostJson.Context.OpenAiErrorEnvelope, contentType: null, context.RequestAborted);
        }

        var envelope = new ErrorEnvelope([new ApiErrorItem(error.Code, error.Message)]);
        return context.Response.WriteAsJsonAsync(envelope, HostJson.Context.ErrorEnvelope, contentType: null, context.RequestAborted);
    }
}
