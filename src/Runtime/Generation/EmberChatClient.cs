using System.Runtime.CompilerServices;
using System.Text.Json;
using Ember.Models.Chat;
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
/// <c>ResponseFormat</c> (JSON, with or without a schema), and the tools: <c>Tools</c> (function declarations),
/// <c>ToolMode</c> and <c>AllowMultipleToolCalls</c> (docs/tools.md). Messages are system, user and assistant text, an
/// assistant's <see cref="FunctionCallContent"/>s and a tool message's <see cref="FunctionResultContent"/>s; other
/// content is bad input. An answer that is calls carries them as <see cref="FunctionCallContent"/>s (streamed: in one
/// update once they are whole) with <see cref="ChatFinishReason.ToolCalls"/>, so that <c>UseFunctionInvocation()</c>
/// runs the loop. A call whose token is cancelled throws
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
        var (text, calls) = ToolCallReader.ReadAll(result.Response, request.EffectiveToolChoice);
        List<AIContent> contents = calls.Count > 0 ? [.. calls.Select(CallContentOf)] : [new TextContent(text)];
        return new ChatResponse(new AiChatMessage(AiChatRole.Assistant, contents))
        {
            ModelId = modelId,
            FinishReason = FinishOf(result.FinishReason, calls.Count > 0),
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
        var reader = ToolCallReader.For(request.EffectiveToolChoice);
        await foreach (var piece in generation.ReadPiecesAsync(cancellationToken).ConfigureAwait(false))
        {
            // Pieces already generated are read without waiting, so a cancelled caller gets none of them.
            cancellationToken.ThrowIfCancellationRequested();
            if (TextOf(reader.Read(piece.Text)) is { Length: > 0 } text)
            {
                yield return new ChatResponseUpdate(AiChatRole.Assistant, text) { ModelId = modelId, ResponseId = responseId };
            }
        }

        if (TextOf(reader.Finish()) is { Length: > 0 } held)
        {
            yield return new ChatResponseUpdate(AiChatRole.Assistant, held) { ModelId = modelId, ResponseId = responseId };
        }

        var result = await generation.Completion.ConfigureAwait(false);
        ThrowIfCancelled(result, cancellationToken);
        if (reader.Calls.Count > 0)
        {
            // A call goes out whole, once the answer's array of calls is: calls cut by max_tokens are none.
            yield return new ChatResponseUpdate(AiChatRole.Assistant, [.. reader.Calls.Select(CallContentOf)]) { ModelId = modelId, ResponseId = responseId };
        }

        yield return new ChatResponseUpdate(AiChatRole.Assistant, [new UsageContent(UsageOf(result.Usage))])
        {
            ModelId = modelId,
            ResponseId = responseId,
            FinishReason = FinishOf(result.FinishReason, reader.Calls.Count > 0),
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
            if (message.Role == AiChatRole.Tool)
            {
                mapped.AddRange(ToolMessagesOf(message));
                continue;
            }

            var role = message.Role == AiChatRole.System ? EmberChatRole.System
                : message.Role == AiChatRole.User ? EmberChatRole.User
                : message.Role == AiChatRole.Assistant ? EmberChatRole.Assistant
                : throw new AiTextGenerationException(AiErrorKind.BadInput, $"messages: the role '{message.Role}' is not supported (system, user, assistant and tool are)");
            var calls = message.Contents.OfType<FunctionCallContent>().Select(CallOf).ToList();
            if (message.Contents.FirstOrDefault(content => content is not (TextContent or UsageContent) && !(content is FunctionCallContent && role == EmberChatRole.Assistant)) is { } other)
            {
                throw new AiTextGenerationException(AiErrorKind.BadInput, $"messages: a {message.Role} message takes text{(role == EmberChatRole.Assistant ? " and function calls" : string.Empty)}, not {other.GetType().Name}");
            }

            mapped.Add(new EmberChatMessage(role, message.Text) { ToolCalls = calls.Count > 0 ? calls : null });
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
            Tools = options?.Tools is { Count: > 0 } tools ? [.. tools.Select(ToolOf)] : null,
            ToolChoice = options?.ToolMode switch
            {
                null => null,
                NoneChatToolMode => ToolChoice.None,
                AutoChatToolMode => ToolChoice.Auto,
                RequiredChatToolMode { RequiredFunctionName: { } name } => ToolChoice.Function(name),
                _ => ToolChoice.Required,
            },
            ParallelToolCalls = options?.AllowMultipleToolCalls ?? true,
        };
        return (options?.ModelId ?? _modelId, request);
    }

    // A tool message holds one or more function results; each is one tool message of Ember's, answering its call.
    private static IEnumerable<EmberChatMessage> ToolMessagesOf(AiChatMessage message)
    {
        if (message.Contents.FirstOrDefault(content => content is not FunctionResultContent) is { } other)
        {
            throw new AiTextGenerationException(AiErrorKind.BadInput, $"messages: a tool message takes function results, not {other.GetType().Name}");
        }

        return message.Contents.Cast<FunctionResultContent>().Select(result => new EmberChatMessage(EmberChatRole.Tool, ResultTextOf(result)) { ToolCallId = result.CallId });
    }

    private static string ResultTextOf(FunctionResultContent result) => result.Result switch
    {
        null => result.Exception is { } exception ? "Error: " + exception.Message : string.Empty,
        string text => text,
        var value => JsonSerializer.Serialize(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType())),
    };

    private static ChatToolCall CallOf(FunctionCallContent call) => new(
        call.CallId,
        call.Name,
        JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>))));

    private static ChatTool ToolOf(AITool tool) => tool is AIFunctionDeclaration function
        ? new ChatTool(function.Name, string.IsNullOrEmpty(function.Description) ? null : function.Description, function.JsonSchema)
        : throw new AiTextGenerationException(AiErrorKind.BadInput, $"tools: only functions are supported, not {tool.GetType().Name} ('{tool.Name}')");

    private static FunctionCallContent CallContentOf(ToolCall call) => new(
        call.Id,
        call.Name,
        (Dictionary<string, object?>?)JsonSerializer.Deserialize(call.Arguments, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(Dictionary<string, object?>))));

    private static string TextOf(IReadOnlyList<ToolCallEvent> events) =>
        string.Concat(events.Where(step => step.Kind == ToolCallEventKind.Text).Select(step => step.Text));

    private static ChatFinishReason FinishOf(FinishReason reason, bool calls) =>
        calls ? ChatFinishReason.ToolCalls : reason == FinishReason.Length ? ChatFinishReason.Length : ChatFinishReason.Stop;

    private static UsageDetails UsageOf(TextGenerationUsage usage) => new()
    {
        InputTokenCount = usage.PromptTokens,
        OutputTokenCount = usage.CompletionTokens,
        TotalTokenCount = usage.TotalTokens,
        CachedInputTokenCount = usage.CachedPromptTokens,
    };
}
