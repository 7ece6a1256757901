namespace Ember.Models.Chat;

/// <summary>
/// One user turn and the assistant's answer to it, after <see cref="Conversation.Normalize"/> has merged runs.
/// </summary>
/// <param name="User">The user's text, trimmed; empty when the conversation had no user text here.</param>
/// <param name="Assistant">
/// The answer, trimmed; <see langword="null"/> when the model is to answer this turn. On the last exchange a
/// non-null answer is a prefill the model continues.
/// </param>
internal sealed record ChatExchange(string User, string? Assistant);
