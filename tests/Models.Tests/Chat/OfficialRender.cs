namespace Ember.Models.Tests.Chat;

/// <summary>What an official chat template gave for one conversation: the text, or the message of what it raised.</summary>
/// <param name="Text">The rendered text; <see langword="null"/> when the template raised.</param>
/// <param name="Error">The message the template raised; <see langword="null"/> when it rendered.</param>
internal sealed record OfficialRender(string? Text, string? Error)
{
    /// <inheritdoc />
    public override string ToString() => Text is null ? $"raised: {Error}" : $"text: {Text}";
}
