namespace Ember.Models.Tests.Chat;

/// <summary>What the official template does with a conversation, and what Ember renders where that is not the official text.</summary>
/// <param name="Outcome">Whether the official template renders Ember's text, raises, or renders another text.</param>
/// <param name="Official">What the official template raised (<see cref="OfficialOutcome.Raises"/>) or rendered
/// (<see cref="OfficialOutcome.Differs"/>); <see langword="null"/> for <see cref="OfficialOutcome.Matches"/>.</param>
/// <param name="Ember">Ember's exact text; <see langword="null"/> for <see cref="OfficialOutcome.Matches"/>, where it is the official text.</param>
internal sealed record TemplateExpectation(OfficialOutcome Outcome, string? Official, string? Ember);
