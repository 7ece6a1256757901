using System.Text;

namespace Ember.Models.Chat;

/// <summary>
/// No markup, for base (not chat-tuned) models such as CodeLlama 7B: the text is <c>&lt;s&gt;</c> followed by the
/// message contents.
/// </summary>
/// <remarks>
/// <para>
/// Roles are ignored and contents are used verbatim, untrimmed, since white space is meaningful in code.
/// A single message (a <c>prompt</c>) therefore renders as <c>&lt;s&gt;{prompt}</c>. Several messages are joined in
/// order with a blank line (<c>"\n\n"</c>); empty contents are skipped, so they add no stray blank lines, and a
/// conversation of only empty contents renders as <c>&lt;s&gt;</c>.
/// </para>
/// <para>
/// The tokenizer adds no BOS token, and a base model is trained with one, so <c>&lt;s&gt;</c> is added here too,
/// unless the text already starts with the literal <c>&lt;s&gt;</c>, in which case it is not doubled.
/// </para>
/// <para>Stateless and thread-safe.</para>
/// </remarks>
public sealed class PlainTextTemplate : IChatTemplate
{
    private const string Bos = "<s>";

    /// <inheritdoc />
    public ChatTemplateKind Kind => ChatTemplateKind.PlainText;

    /// <inheritdoc />
    public string Render(IReadOnlyList<ChatMessage> messages)
    {
        Conversation.Validate(messages);
        var body = new StringBuilder();
        foreach (ChatMessage message in messages)
        {
            if (message.Content.Length == 0)
            {
                continue;
            }

            if (body.Length > 0)
            {
                body.Append("\n\n");
            }

            body.Append(message.Content);
        }

        string text = body.ToString();
        return text.StartsWith(Bos, StringComparison.Ordinal) ? text : Bos + text;
    }
}
