using System.Text;

namespace Ember.Models.Chat;

/// <summary>
/// A conversation brought into the strict shape the chat templates render: one system text, then
/// alternating user/assistant exchanges.
/// </summary>
/// <remarks>
/// The rules, shared by the Llama 2 and Mistral templates:
/// <list type="bullet">
/// <item>Every message's content is trimmed of surrounding white space (as Hugging Face's Llama 2 template does).</item>
/// <item>All system messages, wherever they stand, are joined in order with a blank line into one system text.</item>
/// <item>Consecutive user messages (or consecutive assistant messages) are merged into one turn, their non-empty
/// contents joined with a blank line (<c>"\n\n"</c>), instead of being rejected as Hugging Face's templates do.</item>
/// <item>An assistant turn with no user turn before it gets an empty user turn.</item>
/// <item>A conversation with no user or assistant message (system only) is one empty user turn.</item>
/// <item>A conversation ending with an assistant turn keeps that turn open: its text is a prefill the model continues.</item>
/// </list>
/// </remarks>
internal sealed class Conversation
{
    private const string Separator = "\n\n";

    private Conversation(string system, IReadOnlyList<ChatExchange> exchanges)
    {
        System = system;
        Exchanges = exchanges;
    }

    /// <summary>Gets the merged, trimmed system text; empty when there is none.</summary>
    public string System { get; }

    /// <summary>Gets the exchanges, oldest first; never empty.</summary>
    public IReadOnlyList<ChatExchange> Exchanges { get; }

    /// <summary>Brings a list of messages into the strict shape.</summary>
    /// <param name="messages">The messages, oldest first.</param>
    /// <returns>The normalized conversation.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The list is empty, holds <see langword="null"/>, or a role is undefined.</exception>
    public static Conversation Normalize(IReadOnlyList<ChatMessage> messages)
    {
        Validate(messages);

        var system = new StringBuilder();
        var exchanges = new List<ChatExchange>();
        string? pendingUser = null;
        var run = new StringBuilder();
        ChatRole? runRole = null;

        foreach (ChatMessage message in messages)
        {
            string content = message.Content.Trim();
            if (message.Role == ChatRole.System)
            {
                AppendPart(system, content);
                continue;
            }

            if (runRole != message.Role)
            {
                Flush();
                runRole = message.Role;
            }

            AppendPart(run, content);
        }

        Flush();
        if (pendingUser is not null || exchanges.Count == 0)
        {
            exchanges.Add(new ChatExchange(pendingUser ?? string.Empty, null));
        }

        return new Conversation(system.ToString(), exchanges);

        void Flush()
        {
            if (runRole == ChatRole.User)
            {
                pendingUser = run.ToString();
            }
            else if (runRole == ChatRole.Assistant)
            {
                exchanges.Add(new ChatExchange(pendingUser ?? string.Empty, run.ToString()));
                pendingUser = null;
            }

            run.Clear();
        }
    }

    /// <summary>Checks the arguments every template rejects.</summary>
    /// <param name="messages">The messages.</param>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The list is empty, holds <see langword="null"/>, or a role is undefined.</exception>
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
        }
    }

    private static void AppendPart(StringBuilder builder, string part)
    {
        if (part.Length == 0)
        {
            return;
        }

        if (builder.Length > 0)
        {
            builder.Append(Separator);
        }

        builder.Append(part);
    }
}
