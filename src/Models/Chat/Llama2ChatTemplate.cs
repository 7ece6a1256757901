using System.Text;

namespace Ember.Models.Chat;

/// <summary>
/// Meta's Llama 2 chat format, exactly as the chat template of Hugging Face's <c>meta-llama/Llama-2-7b-chat-hf</c>
/// renders it:
/// <c>&lt;s&gt;[INST] &lt;&lt;SYS&gt;&gt;\n{system}\n&lt;&lt;/SYS&gt;&gt;\n\n{user} [/INST] {answer} &lt;/s&gt;&lt;s&gt;[INST] {user} [/INST]</c>.
/// </summary>
/// <remarks>
/// <para>
/// As the official template: each user message is <c>&lt;s&gt;[INST] {content.strip()} [/INST]</c>, each assistant
/// message <c> {content.strip()} &lt;/s&gt;</c> (Python's <c>strip()</c>), and a system message, even an empty one,
/// goes into the first user message, which is stripped as a whole: the system text's own edges are kept, and so is the
/// user text's leading white space after the block. Where the official template raises (or renders nothing),
/// Ember reshapes the conversation as <see cref="Conversation"/> says (docs/chat-templates.md):
/// </para>
/// <list type="bullet">
/// <item>Several system messages, anywhere: joined in order with a blank line into the one block.</item>
/// <item>Consecutive user (or assistant) messages: merged into one, joined with a blank line.</item>
/// <item>A conversation that starts with an assistant message, or has only system messages: an empty user message
/// first; system only is <c>&lt;s&gt;[INST] &lt;&lt;SYS&gt;&gt;\n{system}\n&lt;&lt;/SYS&gt;&gt; [/INST]</c>.</item>
/// <item>Ending with an assistant message: a prefill, cut as transformers' <c>continue_final_message</c> cuts it
/// (<c>[/INST] {answer.strip()}</c>, no <c>&lt;/s&gt;</c>); one of only white space leaves just <c>[/INST]</c>.</item>
/// </list>
/// <para>Stateless and thread-safe.</para>
/// </remarks>
public sealed class Llama2ChatTemplate : IChatTemplate
{
    private const string Closing = " </s>";

    /// <inheritdoc />
    public ChatTemplateKind Kind => ChatTemplateKind.Llama2Chat;

    /// <inheritdoc />
    public string Render(IReadOnlyList<ChatMessage> messages)
    {
        Conversation conversation = Conversation.Normalize(messages);
        IReadOnlyList<ChatMessage> turns = conversation.Turns;
        var text = new StringBuilder();

        for (int i = 0; i < turns.Count; i++)
        {
            string content = turns[i].Content;
            if (i == 0 && conversation.System is { } system)
            {
                content = "<<SYS>>\n" + system + "\n<</SYS>>\n\n" + content;
            }

            if (turns[i].Role == ChatRole.User)
            {
                text.Append("<s>[INST] ").Append(PythonStrings.Strip(content)).Append(" [/INST]");
            }
            else if (i < turns.Count - 1)
            {
                text.Append(' ').Append(PythonStrings.Strip(content)).Append(Closing);
            }
            else
            {
                text.Append(' ').Append(Conversation.Continue(content, PythonStrings.Strip(content), Closing));
            }
        }

        return text.ToString();
    }
}
