using System.Text;

namespace Ember.Models.Chat;

/// <summary>
/// Mistral 7B Instruct v0.1's format: <c>&lt;s&gt;[INST] {user} [/INST]{answer}&lt;/s&gt;[INST] {user} [/INST]</c>.
/// </summary>
/// <remarks>
/// <para>
/// The model has no system role: the system text goes at the start of the first user turn, followed by a blank
/// line. <c>&lt;s&gt;</c> appears once, at the start; each finished answer is followed directly by <c>&lt;/s&gt;</c>.
/// Contents are trimmed. Where Hugging Face's template raises an error, Ember renders instead:
/// </para>
/// <list type="bullet">
/// <item>Several system messages, anywhere: joined in order with a blank line.</item>
/// <item>System only: the system text is the one user turn, <c>&lt;s&gt;[INST] {system} [/INST]</c>.</item>
/// <item>Consecutive user (or assistant) messages: merged into one turn, joined with a blank line.</item>
/// <item>An assistant message before any user message: answers an empty user turn, <c>[INST]  [/INST]</c>.</item>
/// <item>Ending with an assistant message: the answer is left open (<c>[/INST]{answer}</c>, no <c>&lt;/s&gt;</c>)
/// so that the model continues it.</item>
/// <item>Empty content: rendered as empty text; an empty user turn is <c>[INST]  [/INST]</c>.</item>
/// </list>
/// <para>Stateless and thread-safe.</para>
/// </remarks>
public sealed class MistralInstructTemplate : IChatTemplate
{
    /// <inheritdoc />
    public ChatTemplateKind Kind => ChatTemplateKind.MistralInstruct;

    /// <inheritdoc />
    public string Render(IReadOnlyList<ChatMessage> messages)
    {
        Conversation conversation = Conversation.Normalize(messages);
        IReadOnlyList<ChatExchange> exchanges = conversation.Exchanges;
        var text = new StringBuilder("<s>");

        for (int i = 0; i < exchanges.Count; i++)
        {
            ChatExchange exchange = exchanges[i];
            string user = exchange.User;
            if (i == 0 && conversation.System.Length > 0)
            {
                user = user.Length > 0 ? conversation.System + "\n\n" + user : conversation.System;
            }

            text.Append("[INST] ").Append(user).Append(" [/INST]");

            if (exchange.Assistant is null)
            {
                continue;
            }

            text.Append(exchange.Assistant);
            if (i < exchanges.Count - 1)
            {
                text.Append("</s>");
            }
        }

        return text.ToString();
    }
}
