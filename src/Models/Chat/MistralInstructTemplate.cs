using System.Text;

namespace Ember.Models.Chat;

/// <summary>
/// Mistral 7B Instruct v0.1's format, exactly as the chat template of Hugging Face's
/// <c>mistralai/Mistral-7B-Instruct-v0.1</c> renders it:
/// <c>&lt;s&gt;[INST] {user} [/INST]{answer}&lt;/s&gt; [INST] {user} [/INST]</c>.
/// </summary>
/// <remarks>
/// <para>
/// As the official template: <c>&lt;s&gt;</c> once at the start, each user message <c>[INST] {content} [/INST]</c>,
/// each assistant message <c>{content}&lt;/s&gt; </c> (with the space), and no content stripped. Where the official
/// template raises, Ember reshapes the conversation as <see cref="Conversation"/> says (docs/chat-templates.md):
/// </para>
/// <list type="bullet">
/// <item>System messages (the model has no system role): their text goes before the first user message's, joined with
/// a blank line, as Mistral's later templates do; several are joined in order with a blank line first.</item>
/// <item>Consecutive user (or assistant) messages: merged into one, joined with a blank line.</item>
/// <item>A conversation that starts with an assistant message, or has only system messages: an empty user message
/// first; system only is <c>&lt;s&gt;[INST] {system} [/INST]</c>.</item>
/// <item>Ending with an assistant message: a prefill, cut as transformers' <c>continue_final_message</c> cuts it
/// (<c>[/INST]{answer}</c>, no <c>&lt;/s&gt;</c>); one of only white space leaves just <c>[/INST]</c>.</item>
/// </list>
/// <para>Stateless and thread-safe.</para>
/// </remarks>
public sealed class MistralInstructTemplate : IChatTemplate
{
    private const string Closing = "</s> ";

    /// <inheritdoc />
    public ChatTemplateKind Kind => ChatTemplateKind.MistralInstruct;

    /// <inheritdoc />
    public string Render(IReadOnlyList<ChatMessage> messages)
    {
        Conversation conversation = Conversation.Normalize(messages);
        IReadOnlyList<ChatMessage> turns = conversation.Turns;
        var text = new StringBuilder("<s>");

        for (int i = 0; i < turns.Count; i++)
        {
            string content = turns[i].Content;
            if (i == 0 && conversation.System is { } system)
            {
                content = Conversation.Join([system, content]);
            }

            if (turns[i].Role == ChatRole.User)
            {
                text.Append("[INST] ").Append(content).Append(" [/INST]");
            }
            else if (i < turns.Count - 1)
            {
                text.Append(content).Append(Closing);
            }
            else
            {
                text.Append(Conversation.Continue(content, content, Closing));
            }
        }

        return text.ToString();
    }
}
