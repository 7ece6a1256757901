namespace Ember.Models.Chat;

/// <summary>
/// Turns a conversation into the exact text a model is prompted with.
/// </summary>
/// <remarks>
/// <para>
/// The text begins with the literal <c>&lt;s&gt;</c> exactly once: ONNX Runtime GenAI's tokenizer adds no
/// BOS token of its own and parses the literal <c>&lt;s&gt;</c> as the BOS token (id 1).
/// </para>
/// <para>Implementations are stateless and safe to use from any thread.</para>
/// </remarks>
public interface IChatTemplate
{
    /// <summary>Gets which format this template renders.</summary>
    ChatTemplateKind Kind { get; }

    /// <summary>Renders a conversation as prompt text.</summary>
    /// <param name="messages">The conversation, oldest first; at least one message.</param>
    /// <returns>The prompt text, beginning with <c>&lt;s&gt;</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="messages"/> is empty, holds a <see langword="null"/> message, or a message has an undefined role.
    /// </exception>
    string Render(IReadOnlyList<ChatMessage> messages);
}
