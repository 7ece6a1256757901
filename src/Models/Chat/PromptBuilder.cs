namespace Ember.Models.Chat;

/// <summary>
/// Turns the two request forms, <c>prompt</c> and <c>messages</c>, into the text a model is prompted with.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class PromptBuilder
{
    /// <summary>
    /// Builds the model input for a <c>prompt</c> request: one user turn rendered with the template, or, with
    /// <paramref name="raw"/>, the prompt text exactly as given.
    /// </summary>
    /// <param name="template">The model's chat template.</param>
    /// <param name="prompt">The request's prompt; may be empty.</param>
    /// <param name="raw">
    /// The request's <c>raw</c> flag: when <see langword="true"/> no template is applied and no <c>&lt;s&gt;</c> is
    /// added, so the caller controls every token (the tokenizer adds none either).
    /// </param>
    /// <returns>The text to tokenize.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="template"/> or <paramref name="prompt"/> is <see langword="null"/>.</exception>
    public static string FromPrompt(IChatTemplate template, string prompt, bool raw = false)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(prompt);
        return raw ? prompt : template.Render([new ChatMessage(ChatRole.User, prompt)]);
    }

    /// <summary>
    /// Builds the model input for a <c>messages</c> request: the tools, calls and tool results written as text
    /// (<see cref="ToolPrompt"/>), then the conversation rendered with the template.
    /// </summary>
    /// <param name="template">The model's chat template.</param>
    /// <param name="messages">The conversation, oldest first; at least one message.</param>
    /// <param name="tools">The tools the model may call; <see langword="null"/> or empty: none.</param>
    /// <returns>The text to tokenize.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="template"/> or <paramref name="messages"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="messages"/> is empty or holds a <see langword="null"/> message, or a tool message answers no earlier call.
    /// </exception>
    public static string FromMessages(IChatTemplate template, IReadOnlyList<ChatMessage> messages, IReadOnlyList<ChatTool>? tools = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(messages);
        return template.Render(ToolPrompt.Rewrite(messages, tools));
    }
}
