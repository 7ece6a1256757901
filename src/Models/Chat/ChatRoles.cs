using System.Diagnostics.CodeAnalysis;

namespace Ember.Models.Chat;

/// <summary>
/// Converts <see cref="ChatRole"/> values from and to the API's role strings.
/// </summary>
/// <remarks>
/// Parsing is exact and case-sensitive, as the API's role names are lowercase: <c>"User"</c> and
/// <c>"function"</c> are not roles Ember accepts. All members are thread-safe.
/// </remarks>
public static class ChatRoles
{
    /// <summary>The API name of <see cref="ChatRole.System"/>.</summary>
    public const string SystemName = "system";

    /// <summary>The API name of <see cref="ChatRole.User"/>.</summary>
    public const string UserName = "user";

    /// <summary>The API name of <see cref="ChatRole.Assistant"/>.</summary>
    public const string AssistantName = "assistant";

    /// <summary>The API name of <see cref="ChatRole.Tool"/>.</summary>
    public const string ToolName = "tool";

    /// <summary>Parses an API role string.</summary>
    /// <param name="value">The role string, such as <c>"user"</c>.</param>
    /// <param name="role">The parsed role; <see cref="ChatRole.System"/> when parsing fails.</param>
    /// <returns><see langword="true"/> when <paramref name="value"/> is exactly one of the four role names.</returns>
    public static bool TryParse([NotNullWhen(true)] string? value, out ChatRole role)
    {
        switch (value)
        {
            case SystemName:
                role = ChatRole.System;
                return true;
            case UserName:
                role = ChatRole.User;
                return true;
            case AssistantName:
                role = ChatRole.Assistant;
                return true;
            case ToolName:
                role = ChatRole.Tool;
                return true;
            default:
                role = default;
                return false;
        }
    }

    /// <summary>Parses an API role string, failing loudly on anything else.</summary>
    /// <param name="value">The role string, such as <c>"user"</c>.</param>
    /// <returns>The role.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> is not one of the four role names.</exception>
    public static ChatRole Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return TryParse(value, out ChatRole role)
            ? role
            : throw new ArgumentException(
                $"Unknown chat role '{value}'; expected one of '{SystemName}', '{UserName}', '{AssistantName}', '{ToolName}'.",
                nameof(value));
    }

    /// <summary>Gets the API string of a role.</summary>
    /// <param name="role">The role.</param>
    /// <returns><c>"system"</c>, <c>"user"</c>, <c>"assistant"</c> or <c>"tool"</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="role"/> is not a defined value.</exception>
    public static string ToApiName(this ChatRole role) => role switch
    {
        ChatRole.System => SystemName,
        ChatRole.User => UserName,
        ChatRole.Assistant => AssistantName,
        ChatRole.Tool => ToolName,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Undefined chat role."),
    };
}
