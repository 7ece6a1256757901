namespace Ember.Models.Tests.Chat;

/// <summary>How the official template's result for a conversation relates to Ember's.</summary>
internal enum OfficialOutcome
{
    /// <summary>It renders a text, and Ember renders the same.</summary>
    Matches,

    /// <summary>It raises; Ember renders a text of its own.</summary>
    Raises,

    /// <summary>It renders a text, and Ember deliberately renders another (docs/chat-templates.md).</summary>
    Differs,
}
