using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AiChatRole = Microsoft.Extensions.AI.ChatRole;
using EmberChatMessage = Ember.Models.Chat.ChatMessage;
using EmberChatRole = Ember.Models.Chat.ChatRole;

namespace Ember.Runtime.Generation;

/// <summary>
/// Ember in process as a Microsoft.Extensions.AI <see cref="IChatClient"/>: every call goes through the same
/// <see cref="IAiTextGeneration"/> as the HTTP endpoints, so calls from many callers batch together exactly as HTTP
/// requests do.
/// </summary>
/// <remarks>
/// Options that map: <c>ModelId</c> (else the client's model), <c>Temperature</c>, <c>TopP</c>, <c>TopK</c>,
/// <c>Seed</c>, <c>MaxOutputTokens</c>, <c>StopSequences</c>, <c>FrequencyPenalty</c>, <c>PresencePenalty</c> and
/// <c>ResponseFormat</c> (JSON, with or without a schema). Messages are system, user and assistant text; tools are not
/// supported (a tool message, or content other than text, is bad input). A call whose token is cancelled throws
/// <see cref="OperationCanceledException"/>, as .NET's asynchronous APIs do; other failures are
/// <see cref="AiTextGenerationException"/>s, as from <see cref="IAiTextGeneration"/>. Thread-safe.
/// </remarks>
public sealed class EmberChatClient : IChatClient
{
    private readonly IAiTextGeneration _generation;
    private readonly string _modelId;

    /// <summary>Creates the client over <paramref name="generation"/>, serving <paramref name="modelId"/> unless a call's options name another.</summary>
    public EmberChatClient(IAiTextGeneration generation, string modelId)
    {
        ArgumentNullException.ThrowIfNull(generation);
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        _generation = generation;
        _modelId = modelId;
    }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<AiChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (modelId, request) = Map(messages, options, stream: false);
        var result = await CancellableAsync(() => _generation.RunAsync(modelId, request, cancellationToken), cancellationToken).ConfigureAwait(false);

        ThrowIfCancelled(result, cancellationToken);
        return new ChatResponse(new AiChatMessage(AiChatRole.Assistant, result.Response))
        {
            ModelId = modelId,
            FinishReason = FinishOf(result.FinishReason),
            Usage = UsageOf(result.Usage),
            CreatedAt = DateTimeOffset.UtcNow,
        };
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<AiChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (modelId, request) = Map(messages, options, stream: true);
        var generation = await CancellableAsync(() => _generation.StartAsync(modelId, request, cancellationToken), cancellationToken).ConfigureAwait(false);

        var responseId = Guid.NewGuid().ToString("N");
        await foreach (var piece in generation.ReadPiecesAsync(cancellationToken).ConfigureAwait(false))
        {
            // Pieces already generated are read without waiting, so a cancelled caller gets none of them.
            cancellationToken.ThrowIfCancellationRequested();
            if (piece.Text.Length > 0)
            {
                yield return new ChatResponseUpdate(AiChatRole.Assistant, piece.Text) { ModelId = modelId, ResponseId = responseId };
            }
        }

        var result = await generation.Completion.ConfigureAwait(false);
        ThrowIfCancelled(result, cancellationToken);
        yield return new ChatResponseUpdate(AiChatRole.Assistant, [new UsageContent(UsageOf(result.Usage))])
        {
            ModelId = modelId,
            ResponseId = responseId,
            FinishReason = FinishOf(result.FinishReason),
        };
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("ember", null, _modelId)
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    // The runtime reports the caller's own cancellation as its Cancelled error; .NET callers expect OperationCanceledException.
    // The call is made inside the try: the runtime may throw before it returns a task.
    private static async Task<T> CancellableAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (AiTextGenerationException exception) when (exception.Kind == AiErrorKind.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(exception.Message, exception, cancellationToken);
        }
    }

    // The token's cancellation can end the sequence before a read sees the token: the result then says Cancelled.
    private static void ThrowIfCancelled(TextGenerationResult result, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (result.FinishReason == FinishReason.Cancelled)
        {
            throw new AiTextGenerationException(AiErrorKind.Cancelled, "The sequence was cancelled before it ended.");
        }
    }

    private (string ModelId, TextGenerationRequest Request) Map(IEnumerable<AiChatMessage> messages, ChatOptions? options, bool stream)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var mapped = new List<EmberChatMessage>();
        foreach (var message in messages)
        {
            var role = message.Role == AiChatRole.System ? EmberChatRole.System
                : message.Role == AiChatRole.User ? EmberChatRole.User
                : message.Role == AiChatRole.Assistant ? EmberChatRole.Assistant
                : throw new AiTextGenerationException(AiErrorKind.BadInput, $"messages: the role '{message.Role}' is not supported (system, user and assistant are)");
            if (message.Contents.FirstOrDefault(content => content is not (TextContent or UsageContent)) is { } other)
            {
                throw new AiTextGenerationException(AiErrorKind.BadInput, $"messages: only text content is supported, not {other.GetType().Name}");
            }

            mapped.Add(new EmberChatMessage(role, message.Text));
        }

        var request = new TextGenerationRequest
        {
            Messages = mapped,
            Stream = stream,
            MaxTokens = options?.MaxOutputTokens,
            Temperature = options?.Temperature,
            TopP = options?.TopP,
            TopK = options?.TopK,
            Seed = options?.Seed,
            FrequencyPenalty = options?.FrequencyPenalty,
            PresencePenalty = options?.PresencePenalty,
            Stop = options?.StopSequences is { Count: > 0 } stops ? [.. stops] : null,
            ResponseFormat = options?.ResponseFormat switch
            {
                ChatResponseFormatJson { Schema: { } schema } => new ResponseFormat(ResponseFormatKind.JsonSchema, schema),
                ChatResponseFormatJson => new ResponseFormat(ResponseFormatKind.JsonObject),
                _ => null,
            },
        };
        return (options?.ModelId ?? _modelId, request);
    }

    private static ChatFinishReason FinishOf(FinishReason reason) =>
        reason == FinishReason.Length ? ChatFinishReason.Length : ChatFinishReason.Stop;

    private static UsageDetails UsageOf(TextGenerationUsage usage) => new()
    {
        InputTokenCount = usage.PromptTokens,
        OutputTokenCount = usage.CompletionTokens,
        TotalTokenCount = usage.TotalTokens,
        CachedInputTokenCount = usage.CachedPromptTokens,
    };
}
