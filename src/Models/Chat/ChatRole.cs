namespace Ember.Models.Chat;

/// <summary>
/// Who wrote a chat message. On the wire the roles are the lowercase strings <c>system</c>, <c>user</c>,
/// <c>assistant</c> and <c>tool</c>; <see cref="ChatRoles"/> converts between the two.
/// </summary>
public enum ChatRole
{
    /// <summary>Instructions that frame the whole conversation (<c>system</c>).</summary>
    System,

    /// <summary>A turn written by the person using the model (<c>user</c>).</summary>
    User,

    /// <summary>A turn written by the model (<c>assistant</c>).</summary>
    Assistant,

    /// <summary>
    /// A tool's result, answering one of an earlier assistant message's calls (<c>tool</c>); the templates see it only
    /// as <see cref="ToolPrompt"/> writes it, inside a user turn.
    /// </summary>
    Tool,
}
