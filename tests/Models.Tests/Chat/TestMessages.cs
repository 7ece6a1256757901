using Ember.Models.Chat;

namespace Ember.Models.Tests.Chat;

/// <summary>Builds conversations from compact "role:content" strings, so template cases fit in [InlineData].</summary>
internal static class TestMessages
{
    public static ChatMessage[] Parse(string[] encoded) =>
        [.. encoded.Select(item =>
        {
            int colon = item.IndexOf(':', StringComparison.Ordinal);
            return new ChatMessage(ChatRoles.Parse(item[..colon]), item[(colon + 1)..]);
        })];
}
