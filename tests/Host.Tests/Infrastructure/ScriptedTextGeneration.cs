using Ember.Models.Catalog;
using Ember.Runtime.Generation;

namespace Ember.Host.Tests.Infrastructure;

/// <summary>
/// A scripted <see cref="IAiTextGeneration"/>: answers "Hello, world!" in four pieces, and fails on purpose when
/// the prompt (or the last message) starts with a directive, so the host's error paths can be driven exactly.
/// </summary>
/// <remarks>
/// Directives: <c>#busy</c>, <c>#full</c> (busy only with <c>rejectIfBusy</c>), <c>#timeout</c>, <c>#cancelled</c>,
/// <c>#crash</c>, <c>#badinput</c> fail before output; <c>#midstream</c> and <c>#midcrash</c> fail after two pieces;
/// <c>#pieces:a|b|c</c> answers exactly those pieces; <c>#hold</c> answers the first two pieces of the default
/// answer, then holds the stream open until the request is cancelled (<see cref="HeldCancelled"/>). Only <see cref="ModelCatalog.TinyLlamaId"/> is installed.
/// Prompt tokens are 1 + the prompt's length in characters; prompt plus <c>max_tokens</c> over the context limit
/// is <see cref="AiErrorKind.LimitExceeded"/>. Thread-safe; records the last call for assertions.
/// </remarks>
public sealed class ScriptedTextGeneration : IAiTextGeneration
{
    /// <summary>The default answer, piece by piece.</summary>
    public static readonly IReadOnlyList<string> HelloPieces = ["Hello", ",", " world", "!"];

    /// <summary>A detail that a runtime failure carries and the client must never see.</summary>
    public const string SecretDetail = "native allocation failed at 0xDEADBEEF";

    private readonly object _gate = new();
    private (string ModelId, TextGenerationRequest Request)? _last;
    private TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Gets a task that completes when the latest <c>#hold</c> generation was cancelled by its caller.</summary>
    public Task HeldCancelled
    {
        get
        {
            lock (_gate)
            {
                return _held.Task;
            }
        }
    }

    /// <summary>Gets the last call's model id and request.</summary>
    public (string ModelId, TextGenerationRequest Request) Last
    {
        get
        {
            lock (_gate)
            {
                return _last ?? throw new InvalidOperationException("No call yet.");
            }
        }
    }

    /// <inheritdoc />
    public Task<TextGeneration> StartAsync(string modelId, TextGenerationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_gate)
        {
            _last = (modelId, request);
        }

        if (!ModelCatalog.TryGet(modelId, out CatalogEntry? model))
        {
            throw new AiTextGenerationException(AiErrorKind.ModelNotFound, $"No such model {modelId} or task");
        }

        if (modelId != ModelCatalog.TinyLlamaId)
        {
            throw new AiTextGenerationException(AiErrorKind.ModelNotInstalled, $"Model {modelId} is in the catalog but not installed on this server");
        }

        string text = request.Prompt ?? request.Messages?[^1].Content ?? string.Empty;
        int promptLength = request.Prompt?.Length ?? request.Messages?.Sum(message => message.Content.Length) ?? 0;
        int promptTokens = 1 + promptLength;
        int maxTokens = request.MaxTokens ?? model.Limits.GetDefaultMaxTokens(request.Stream);
        if (!model.Limits.FitsContext(promptTokens, maxTokens))
        {
            throw new AiTextGenerationException(
                AiErrorKind.LimitExceeded,
                $"The prompt ({promptTokens} tokens) and max_tokens ({maxTokens}) exceed the context window of {model.Limits.ContextTokensLimit} tokens");
        }

        AiTextGenerationException? before = text switch
        {
            _ when text.StartsWith("#busy", StringComparison.Ordinal) => new(AiErrorKind.Busy, "queue full"),
            _ when text.StartsWith("#full", StringComparison.Ordinal) && request.RejectIfBusy => new(AiErrorKind.Busy, "no free slot"),
            _ when text.StartsWith("#timeout", StringComparison.Ordinal) => new(AiErrorKind.Timeout, "timed out in queue"),
            _ when text.StartsWith("#cancelled", StringComparison.Ordinal) => new(AiErrorKind.Cancelled, "cancelled"),
            _ when text.StartsWith("#crash", StringComparison.Ordinal) => new(AiErrorKind.RuntimeFailure, SecretDetail),
            _ when text.StartsWith("#badinput", StringComparison.Ordinal) => new(AiErrorKind.BadInput, "messages: the last message must be from the user"),
            _ => null,
        };
        if (before is not null)
        {
            throw before;
        }

        var generation = new TextGenerationWriter(promptTokens, maxTokens, request.Stop);
        if (text.StartsWith("#hold", StringComparison.Ordinal))
        {
            return Task.FromResult(Hold(generation, cancellationToken));
        }

        IReadOnlyList<string> pieces = text.StartsWith("#pieces:", StringComparison.Ordinal)
            ? text["#pieces:".Length..].Split('|')
            : HelloPieces;
        AiTextGenerationException? after = text switch
        {
            _ when text.StartsWith("#midstream", StringComparison.Ordinal) => new(AiErrorKind.Timeout, "timed out while generating"),
            _ when text.StartsWith("#midcrash", StringComparison.Ordinal) => new(AiErrorKind.RuntimeFailure, SecretDetail),
            _ => null,
        };

        int count = Math.Min(pieces.Count, maxTokens);
        for (int i = 0; i < count; i++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                generation.Finish(FinishReason.Cancelled);
                return Task.FromResult(generation.Generation);
            }

            if (after is not null && i == 2)
            {
                generation.Fail(after);
                return Task.FromResult(generation.Generation);
            }

            if (generation.Publish(new TextPiece(pieces[i], 100 + i)))
            {
                generation.Finish(FinishReason.Stop);
                return Task.FromResult(generation.Generation);
            }
        }

        generation.Finish(count < pieces.Count ? FinishReason.Length : FinishReason.Stop);
        return Task.FromResult(generation.Generation);
    }

    private TextGeneration Hold(TextGenerationWriter generation, CancellationToken cancellationToken)
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _held = held;
        }

        generation.Publish(new TextPiece(HelloPieces[0], 100));
        generation.Publish(new TextPiece(HelloPieces[1], 101));
        cancellationToken.Register(() =>
        {
            generation.Finish(FinishReason.Cancelled);
            held.TrySetResult();
        });
        return generation.Generation;
    }

    /// <inheritdoc />
    public async Task<TextGenerationResult> RunAsync(string modelId, TextGenerationRequest request, CancellationToken cancellationToken)
    {
        TextGeneration generation = await StartAsync(modelId, request with { Stream = false }, cancellationToken).ConfigureAwait(false);
        return await generation.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }
}
