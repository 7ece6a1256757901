using Ember.Host.Diagnostics;
using Ember.Host.Errors;
using Ember.Runtime.Generation;

namespace Ember.Host.Responses;

/// <summary>The logging the generation endpoints share: what was asked (text only at Trace) and how it failed.</summary>
internal static class GenerationLog
{
    /// <summary>Logs a request's shape at Debug and its input at Trace.</summary>
    public static void Requested(ILogger logger, string modelId, TextGenerationRequest request)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            int chars = request.Prompt?.Length ?? request.Messages?.Sum(message => message.Content.Length) ?? 0;
            HostLog.GenerationRequested(logger, modelId, request.Stream, chars, request.Messages?.Count ?? 0);
        }

        if (logger.IsEnabled(LogLevel.Trace))
        {
            string input = request.Prompt
                ?? string.Join("\n", request.Messages?.Select(message => $"{message.Role}: {message.Content}") ?? []);
            HostLog.GenerationInput(logger, modelId, input);
        }
    }

    /// <summary>Maps a runtime failure, logging the cause of an internal one.</summary>
    public static ApiError Failed(ILogger logger, string modelId, AiTextGenerationException exception)
    {
        if (exception.Kind == AiErrorKind.RuntimeFailure)
        {
            HostLog.RuntimeFailure(logger, modelId, exception);
        }

        return ErrorMapping.FromRuntime(exception);
    }
}
