namespace Ember.Models.Chat;

/// <summary>
/// Who wrote a chat message. On the wire the roles are the lowercase strings <c>system</c>, <c>user</c> and
/// <c>assistant</c>; <see cref="ChatRoles"/> converts between the two.
/// </summary>
public enum ChatRole
{
    /// <summary>Instructions that frame the whole conversation (<c>system</c>).</summary>
    System,

    /// <summary>A turn written by the person using the model (<c>user</c>).</summary>
    User,

    /// <summary>A turn written by the model (<c>assistant</c>).</summary>
    Assistant,
}
