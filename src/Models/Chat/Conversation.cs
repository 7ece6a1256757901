namespace Ember.Models.Chat;

/// <summary>
/// A conversation brought into the shape Hugging Face's Llama 2 and Mistral v0.1 templates accept: at most one system
/// text, then messages alternating user/assistant, starting with a user message.
/// </summary>
/// <remarks>
/// <para>
/// A conversation already in that shape is left exactly as it is (contents untouched), so the templates render it as
/// the official ones do. Where the official templates raise instead, Ember reshapes (docs/chat-templates.md):
/// </para>
/// <list type="bullet">
/// <item>System messages, wherever they stand, become the one system text: their non-empty contents, in order, joined
/// with a blank line (<c>"\n\n"</c>).</item>
/// <item>A run of consecutive user (or assistant) messages becomes one message, its non-empty contents joined with a
/// blank line.</item>
/// <item>A conversation that starts with an assistant message, or has only system messages, gets an empty user message
/// first.</item>
/// <item>A last assistant message is a prefill the model continues (<see cref="Continue"/>), unless its content is only
/// white space: then it is dropped, and the model answers the user message before it.</item>
/// </list>
/// <para>Contents are never trimmed here; the templates strip where the official ones do.</para>
/// </remarks>
internal sealed class Conversation
{
    private const string Separator = "\n\n";

    private Conversation(string? system, IReadOnlyList<ChatMessage> turns)
    {
        System = system;
        Turns = turns;
    }

    /// <summary>Gets the system text, as given (several joined); <see langword="null"/> when there was no system message.</summary>
    public string? System { get; }

    /// <summary>
    /// Gets the user and assistant messages, oldest first: never empty, alternating, starting with a user message; a
    /// last assistant message is a prefill (its content is never only white space).
    /// </summary>
    public IReadOnlyList<ChatMessage> Turns { get; }

    /// <summary>Brings a list of messages into the shape the templates render.</summary>
    /// <param name="messages">The messages, oldest first.</param>
    /// <returns>The normalized conversation.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The list is empty, holds <see langword="null"/>, or a role is undefined.</exception>
    public static Conversation Normalize(IReadOnlyList<ChatMessage> messages)
    {
        Validate(messages);

        string[] systems = [.. messages.Where(message => message.Role == ChatRole.System).Select(message => message.Content)];
        var turns = new List<ChatMessage>();
        var run = new List<string>();
        ChatRole? runRole = null;
        foreach (ChatMessage message in messages.Where(message => message.Role != ChatRole.System))
        {
            if (runRole != message.Role)
            {
                Flush();
                runRole = message.Role;
            }

            run.Add(message.Content);
        }

        Flush();
        if (turns.Count == 0 || turns[0].Role != ChatRole.User)
        {
            turns.Insert(0, new ChatMessage(ChatRole.User, string.Empty));
        }

        if (turns[^1].Role == ChatRole.Assistant && PythonStrings.Strip(turns[^1].Content).Length == 0)
        {
            turns.RemoveAt(turns.Count - 1);
        }

        return new Conversation(systems.Length == 0 ? null : Join(systems), turns);

        void Flush()
        {
            if (runRole is { } role)
            {
                turns.Add(new ChatMessage(role, Join(run)));
            }

            run.Clear();
        }
    }

    /// <summary>
    /// Joins contents into one: a single content is kept exactly as it is; several are joined with a blank line
    /// (<c>"\n\n"</c>), leaving out the empty ones.
    /// </summary>
    /// <param name="contents">The contents, in order; at least one.</param>
    /// <returns>The joined text.</returns>
    public static string Join(IReadOnlyList<string> contents) =>
        contents.Count == 1 ? contents[0] : string.Join(Separator, contents.Where(content => content.Length > 0));

    /// <summary>
    /// The open end of a prefill: how much of a final assistant message's rendering the prompt keeps, by the rule of
    /// transformers' <c>apply_chat_template(continue_final_message=True)</c>.
    /// </summary>
    /// <param name="content">The message's content, as given.</param>
    /// <param name="written">What the template writes for the content (the content itself, or it stripped).</param>
    /// <param name="closing">What the template writes right after it to close the message (such as <c>" &lt;/s&gt;"</c>).</param>
    /// <returns>
    /// <paramref name="written"/> followed by <paramref name="closing"/>, cut right after the stripped content, or
    /// after the content with its trailing white space where the rendering holds the content exactly (no leading
    /// white space, and its trailing white space rendered as it is).
    /// </returns>
    /// <remarks>
    /// transformers renders the whole conversation and cuts at the last occurrence of the stripped content in the text;
    /// Ember cuts at the message's own rendering. The two differ only when the stripped content also occurs inside
    /// <paramref name="closing"/> (a content such as <c>"s"</c> or <c>"&lt;/s&gt;"</c>), where transformers cuts inside
    /// the end-of-sequence token.
    /// </remarks>
    public static string Continue(string content, string written, string closing)
    {
        string stripped = PythonStrings.Strip(content);
        string rendered = written + closing;
        int location = written.IndexOf(stripped, StringComparison.Ordinal);
        bool renderedAsGiven = PythonStrings.LStrip(content).Length == content.Length
            && rendered.AsSpan(location).StartsWith(content, StringComparison.Ordinal);
        int end = location + (renderedAsGiven ? content.Length : stripped.Length);
        return rendered[..end];
    }

    /// <summary>Checks the arguments every template rejects.</summary>
    /// <param name="messages">The messages.</param>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The list is empty, holds <see langword="null"/>, a role is undefined, or a message holds a tool call or result.</exception>
    public static void Validate(IReadOnlyList<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            throw new ArgumentException("A conversation needs at least one message.", nameof(messages));
        }

        for (int i = 0; i < messages.Count; i++)
        {
            ChatMessage? message = messages[i];
            if (message is null)
            {
                throw new ArgumentException($"Message {i} is null.", nameof(messages));
            }

            if (!Enum.IsDefined(message.Role))
            {
                throw new ArgumentException($"Message {i} has an undefined role ({message.Role}).", nameof(messages));
            }

            if (message is { Role: ChatRole.Tool } or { ToolCalls.Count: > 0 })
            {
                throw new ArgumentException($"Message {i} holds a tool call or result: render it through {nameof(PromptBuilder)}, which writes them as text.", nameof(messages));
            }
        }
    }
}
