using System.Text;

namespace Ember.Models.Chat;

/// <summary>
/// Meta's Llama 2 chat format:
/// <c>&lt;s&gt;[INST] &lt;&lt;SYS&gt;&gt;\n{system}\n&lt;&lt;/SYS&gt;&gt;\n\n{user} [/INST] {answer} &lt;/s&gt;&lt;s&gt;[INST] {user} [/INST]</c>.
/// </summary>
/// <remarks>
/// <para>
/// Follows Meta's reference and Hugging Face's template: each turn is wrapped in <c>&lt;s&gt;[INST] … [/INST]</c>,
/// each finished answer is followed by <c> &lt;/s&gt;</c>, contents are trimmed, and the system text goes inside the
/// first user turn only. Where Hugging Face raises an error, Ember renders instead:
/// </para>
/// <list type="bullet">
/// <item>No system message, or only empty ones: no <c>&lt;&lt;SYS&gt;&gt;</c> block at all.</item>
/// <item>Several system messages, anywhere: joined in order with a blank line into the one block.</item>
/// <item>System only: the block alone in an empty user turn, <c>&lt;s&gt;[INST] &lt;&lt;SYS&gt;&gt;\n{system}\n&lt;&lt;/SYS&gt;&gt; [/INST]</c>
/// (the trailing blank line is trimmed, as Hugging Face trims the whole turn).</item>
/// <item>Consecutive user (or assistant) messages: merged into one turn, joined with a blank line.</item>
/// <item>An assistant message before any user message: answers an empty user turn, <c>[INST]  [/INST]</c>.</item>
/// <item>Ending with an assistant message: the answer is left open (<c>[/INST] {answer}</c>, no <c>&lt;/s&gt;</c>)
/// so that the model continues it; an empty last answer leaves just <c>[/INST]</c>.</item>
/// <item>Empty content: rendered as empty text; an empty user turn is <c>[INST]  [/INST]</c>.</item>
/// </list>
/// <para>Stateless and thread-safe.</para>
/// </remarks>
public sealed class Llama2ChatTemplate : IChatTemplate
{
    /// <inheritdoc />
    public ChatTemplateKind Kind => ChatTemplateKind.Llama2Chat;

    /// <inheritdoc />
    public string Render(IReadOnlyList<ChatMessage> messages)
    {
        Conversation conversation = Conversation.Normalize(messages);
        IReadOnlyList<ChatExchange> exchanges = conversation.Exchanges;
        var text = new StringBuilder();

        for (int i = 0; i < exchanges.Count; i++)
        {
            ChatExchange exchange = exchanges[i];
            string user = exchange.User;
            if (i == 0 && conversation.System.Length > 0)
            {
                user = user.Length > 0
                    ? "<<SYS>>\n" + conversation.System + "\n<</SYS>>\n\n" + user
                    : "<<SYS>>\n" + conversation.System + "\n<</SYS>>";
            }

            text.Append("<s>[INST] ").Append(user).Append(" [/INST]");

            if (exchange.Assistant is null)
            {
                continue;
            }

            bool isLast = i == exchanges.Count - 1;
            if (!isLast)
            {
                text.Append(' ').Append(exchange.Assistant).Append(" </s>");
            }
            else if (exchange.Assistant.Length > 0)
            {
                text.Append(' ').Append(exchange.Assistant);
            }
        }

        return text.ToString();
    }
}
