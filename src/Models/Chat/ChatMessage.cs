namespace Ember.Models.Chat;

/// <summary>
/// One message of a conversation, as given in a request's <c>messages</c> array.
/// </summary>
/// <remarks>Immutable and safe to share between threads.</remarks>
/// <param name="Role">Who wrote the message.</param>
/// <param name="Content">The message text; may be empty, never <see langword="null"/>.</param>
public sealed record ChatMessage(ChatRole Role, string Content)
{
    /// <summary>Gets the message text; may be empty, never <see langword="null"/>.</summary>
    /// <exception cref="ArgumentNullException">Set to <see langword="null"/>.</exception>
    public string Content { get; init; } = Content ?? throw new ArgumentNullException(nameof(Content));

    /// <summary>Gets the tool calls of an assistant message, in order; <see langword="null"/> or empty: none.</summary>
    public IReadOnlyList<ChatToolCall>? ToolCalls { get; init; }

    /// <summary>Gets the id of the call a <see cref="ChatRole.Tool"/> message answers.</summary>
    public string? ToolCallId { get; init; }
}
